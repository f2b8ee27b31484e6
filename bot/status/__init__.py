"""The public status page and the CloudWatch dashboard: served, published to S3 and Statuspage, measured."""
