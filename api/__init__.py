"""The REST API: routers, schemas, authentication and error mapping."""
