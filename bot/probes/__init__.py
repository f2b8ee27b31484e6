"""Read-only probes over boto3, pymongo and HTTP, implementing the Protocols of `cutover/probes.py`."""
