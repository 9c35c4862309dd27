"""Groups of settings that `booking_site.settings` reads, kept apart so that module stays readable. They import
nothing from Django's configured state: settings are still being built when they run."""
