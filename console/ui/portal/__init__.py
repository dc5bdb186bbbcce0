"""The customer portal editor tab."""
