"""Integrations with the places kernel developers work: b4 and GitHub."""
