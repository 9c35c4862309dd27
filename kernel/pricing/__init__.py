"""Prices that explain themselves: what a booking costs, as lines that say why.

One pricing function (`services.price_quote`) prices a request of any resource: the resource's adapter gives
its base lines (`price_base`, kernel/adapters.py), then at most one discount applies, the best of the active
rules (`compute.price_compute`; rules never stack). A booking stores its lines when it is made
(`services.booking_price_record`, in the booking's transaction), so later changes of the price list do not
change it. A discount counts against the clinic day's quota under a row lock; a cancelled or rejected booking
gives it back once (`booking_price_release`). A manager may override a booking's total with a reason
(`booking_price_override`). Doors read a stored price with `booking_price` / `booking_prices` and render it
with `labels` (`price_text`, each line's `text`), in the active language."""
