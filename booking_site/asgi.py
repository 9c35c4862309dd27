"""ASGI entry point: gunicorn -k uvicorn_worker.UvicornWorker booking_site.asgi:application (or uvicorn).

Production and the benchmarks serve `booking_site.wsgi` on gunicorn's gthread workers (Procfile): every view
is sync, and measured in one run a partner booking took about 0.7 of the server CPU it takes here
(bench/RESULTS.md). This entry point stays for an ASGI server.

A web process: its PostgreSQL connections are pooled by default (settings, DATABASE_POOL_MAX_SIZE).

Every view and nearly all middleware are sync, so a request runs the whole middleware chain and its view in
one trip to a worker thread (`SyncChainASGIHandler`). Django's own ASGI handler builds an async chain: each of
Django's middlewares then runs its request and response hooks through `sync_to_async` one at a time, and a
sync-only middleware in between sends the request back to the event loop, about a dozen trips between the loop
and a thread per request, measured at about 1.5 ms of CPU per partner booking."""

import os

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "booking_site.settings")
os.environ["SERVES_HTTP"] = "1"  # settings: a web process pools its PostgreSQL connections unless told otherwise


class SyncChainASGIHandler(ASGIHandler):
    """Django's ASGI handler with the sync middleware chain of its WSGI handler, run in one thread trip.

    The trip is thread-sensitive, like Django's own calls of sync code, so the request's database connection
    stays on one thread. An async view (none today) would still work: the sync chain calls it through
    `async_to_sync`, back on the event loop."""

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


def get_application() -> SyncChainASGIHandler:
    import django

    django.setup(set_prefix=False)
    return SyncChainASGIHandler()


application = get_application()
