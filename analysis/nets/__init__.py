"""The torch side: models, torch twins of the losses, optimizer wrappers, data, trainer, run cache."""
