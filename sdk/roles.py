"""Roles a certificate grants. Contracts check them; the certificate profile carries them."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A member's or node's role in the consortium (carried in its X.509 certificate)."""

    MANUFACTURER = "manufacturer"
    DISTRIBUTOR = "distributor"
    LOGISTICS = "logistics"
    PHARMACY = "pharmacy"
    HOSPITAL = "hospital"
    REGULATOR = "regulator"
    SUPPLIER = "supplier"
    QA = "qa"
    QP = "qp"
    ADMIN = "admin"
    NODE = "node"
    DEVICE = "device"
