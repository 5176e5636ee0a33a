"""The rules of the product, as the plan documents state them; no messenger in here."""
