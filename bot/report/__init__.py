"""The post-cutover report: rendering (Markdown, HTML, PNG chart), building from the log, delivery."""
