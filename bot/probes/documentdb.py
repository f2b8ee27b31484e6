"""DocumentDB probes over pymongo: per-collection counts and checksums, and the FXIP active region."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from pymongo import MongoClient
from pymongo.errors import PyMongoError

from bot.probes.aws import short_error
from cutover.probes import Reading

ClientFactory = Callable[..., Any]


class MongoClients:
    """One client per region URI, each with server-selection, connect and socket timeouts."""

    def __init__(
        self,
        uris: dict[str, str],
        *,
        server_selection_ms: int = 3000,
        socket_ms: int = 5000,
        factory: ClientFactory = MongoClient,
    ) -> None:
        self.uris, self.factory = uris, factory
        self.options = {
            "serverSelectionTimeoutMS": server_selection_ms,
            "socketTimeoutMS": socket_ms,
            "connectTimeoutMS": server_selection_ms,
        }
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    def client(self, region: str) -> Any:
        """The client of a region's cluster; KeyError when no URI is configured for it."""
        with self._lock:
            if region not in self._clients:
                self._clients[region] = self.factory(self.uris[region], **self.options)
            return self._clients[region]


class MongoCollections:
    """countDocuments per collection and a checksum: the $sum of a field over the collection."""

    def __init__(self, clients: MongoClients, database: str) -> None:
        self.clients, self.database = clients, database

    def collection_stats(self, region: str, collections: list[str], checksum_field: str) -> Reading:
        """value: {collection: {"count": n, "checksum": sum of the field}}."""
        source = f"documentdb:{region}/{self.database}"
        try:
            db = self.clients.client(region)[self.database]
            stats = {}
            for name in collections:
                rows = list(
                    db[name].aggregate(
                        [{"$group": {"_id": None, "checksum": {"$sum": f"${checksum_field}"}}}]
                    )
                )
                stats[name] = {
                    "count": db[name].count_documents({}),
                    "checksum": rows[0]["checksum"] if rows else 0,
                }
        except KeyError:
            return Reading(ok=None, source=source, error=f"no DocumentDB URI configured for {region}")
        except (PyMongoError, OSError) as exc:
            return Reading(ok=None, source=source, error=short_error(exc))
        return Reading(ok=True, value=stats, source=source)


class MongoFxip:
    """The FXIP active-region document (the one step 1B.2 / R2.3 updates)."""

    def __init__(
        self,
        clients: MongoClients,
        database: str,
        region: str,
        collection: str = "fxip",
        document_id: str = "active_region",
    ) -> None:
        self.clients, self.database, self.region = clients, database, region
        self.collection, self.document_id = collection, document_id

    def active_region(self) -> Reading:
        """value: the region the FXIP document names."""
        source = f"documentdb:{self.region}/{self.database}.{self.collection}"
        try:
            doc = self.clients.client(self.region)[self.database][self.collection].find_one(
                {"_id": self.document_id}
            )
        except KeyError:
            return Reading(ok=None, source=source, error=f"no DocumentDB URI configured for {self.region}")
        except (PyMongoError, OSError) as exc:
            return Reading(ok=None, source=source, error=short_error(exc))
        if not doc or "region" not in doc:
            return Reading(ok=None, source=source, error=f"no {self.document_id} document")
        return Reading(ok=True, value=doc["region"], source=source)
