"""Wide torch networks at initialisation and in training, built from the registry."""
