"""Standard Webhooks delivery: secrets and signatures, URL safety, the HTTP attempt, the schedule."""
