"""The rating terminal at a counter (``motcua-kiosk --mode rating``)."""
