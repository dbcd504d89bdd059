"""The REST API's shared parts: authentication, permission, pagination, error bodies, root URLs."""
