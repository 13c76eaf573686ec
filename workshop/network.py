"""Which address phones should use to reach this laptop, and the join URL built from it.

The facilitator opens the app on the laptop as http://localhost:5000, but a phone on the
centre's Wi-Fi cannot reach "localhost": the QR code must carry the laptop's LAN address.
Finding it only lists the machine's own interfaces; nothing is sent on the network.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

import ifaddr

# Interfaces that are not the Wi-Fi or cable a phone could be on. (Loopback is recognised
# by its address, not its name: Windows calls a real cable "Local Area Connection".)
_VIRTUAL_PREFIXES = ("docker", "br-", "veth", "virbr", "vmnet", "vboxnet", "virtualbox", "vmware", "tun", "tap", "wg",
                     "zt", "utun")


@dataclass(frozen=True)
class Candidate:
    """An IPv4 address of one of this machine's network interfaces."""

    interface: str
    address: str


def interface_addresses() -> list[Candidate]:
    """The IPv4 addresses of this machine's interfaces, as the operating system lists them."""
    found = []
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            if isinstance(ip.ip, str):  # IPv4; IPv6 entries are tuples
                found.append(Candidate(adapter.nice_name or adapter.name, ip.ip))
    return found


def choose_lan_address(candidates: list[Candidate]) -> str | None:
    """Pick the address phones on the same Wi-Fi are most likely to reach, or None.

    Loopback and link-local addresses cannot be reached from a phone; container and VPN
    bridges are not the Wi-Fi; among the rest a private (RFC 1918) address is preferred,
    because a centre's Wi-Fi or a laptop's hotspot gives out private addresses.
    """

    def rank(candidate: Candidate) -> tuple[int, int]:
        virtual = candidate.interface.lower().startswith(_VIRTUAL_PREFIXES)
        private = ipaddress.ip_address(candidate.address).is_private
        return (1 if virtual else 0, 0 if private else 1)

    usable = []
    for candidate in candidates:
        try:
            ip = ipaddress.ip_address(candidate.address)
        except ValueError:
            continue
        if ip.version == 4 and not (ip.is_loopback or ip.is_link_local or ip.is_unspecified):
            usable.append(candidate)
    if not usable:
        return None
    return min(usable, key=rank).address


def lan_address() -> str | None:
    """This laptop's address on the local network, or None when it has none."""
    return choose_lan_address(interface_addresses())


def is_loopback_host(host: str) -> bool:
    """Whether a Host header (with or without a port) names this machine only."""
    hostname = urlsplit("//" + host).hostname or ""
    if hostname == "localhost" or hostname.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


def public_base_url(request_host_url: str, configured: str | None, lan: str | None) -> str:
    """The base URL that a phone should use, with a trailing slash.

    - `configured` (JOIN_BASE_URL) wins: a region sets its public address there.
    - A facilitator who reached the app by a real name or address is already using one
      that phones can use too.
    - Through localhost, the laptop's LAN address replaces the host, keeping the port.
    """
    if configured:
        return configured.rstrip("/") + "/"
    parts = urlsplit(request_host_url)
    if not is_loopback_host(parts.netloc) or not lan:
        return request_host_url.rstrip("/") + "/"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{lan}{port}/"
