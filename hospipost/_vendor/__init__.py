"""Third-party code kept in the tree, each package with its LICENSE and a note of its changes."""
