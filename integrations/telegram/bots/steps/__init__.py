"""The booking dialog's steps: each resource's own (`equipment`, `cabinets`) and the client's name, phone and
Confirm that end every dialog (`client`)."""
