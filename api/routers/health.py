"""Liveness and readiness, without authentication."""

from fastapi import APIRouter

from api.schemas import Gezondheid

router = APIRouter(tags=["beheer"])


@router.get("/health")
def health() -> Gezondheid:
    """De API draait."""
    return Gezondheid(status="ok")
