"""The head-office API, one module per conversation step."""
