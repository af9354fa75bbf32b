"""The cluster's customers: who bought, by e-mail, and the consent they gave."""
