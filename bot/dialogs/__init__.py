"""Multi-step dialogs as transport-free screens: text, choices, and the input expected next."""
