"""The commands of `renewals`, one module each; `app` collects them."""
