"""Forms every booking admin shares: the reason a manager gives for a decision the client will read."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("The client sees this reason."))
