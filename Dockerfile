# The cutover bot, served over HTTP as a non-root user. Configure it with environment variables
# (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, DATABASE_URL, CUTOVER_CHANNEL, ...; see README).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY bot ./bot
COPY commands ./commands
COPY cutover ./cutover
COPY storage ./storage
COPY templates ./templates
COPY runbooks ./runbooks
RUN pip install --no-cache-dir -c constraints.txt . \
    && useradd --create-home --uid 10001 cutover \
    && mkdir -p /data && chown cutover /data

USER cutover
ENV DATABASE_URL=sqlite:////data/cutover.db
EXPOSE 3000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=3)"
CMD ["cutover-bot", "serve", "--http", "--port", "3000"]
