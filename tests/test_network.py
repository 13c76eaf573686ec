"""Which address goes into the QR code."""
import pytest

from workshop.network import Candidate, choose_lan_address, is_loopback_host, public_base_url


def test_prefers_the_private_wifi_address():
    candidates = [
        Candidate("lo", "127.0.0.1"),
        Candidate("docker0", "172.17.0.1"),
        Candidate("wlp2s0", "192.168.43.12"),
        Candidate("eth0", "169.254.3.3"),
    ]
    assert choose_lan_address(candidates) == "192.168.43.12"


def test_a_virtual_bridge_is_used_only_when_nothing_else_is_there():
    assert choose_lan_address([Candidate("lo", "127.0.0.1"), Candidate("docker0", "172.17.0.1")]) == "172.17.0.1"


def test_a_windows_cable_connection_is_not_mistaken_for_loopback():
    candidates = [Candidate("Loopback Pseudo-Interface 1", "127.0.0.1"),
                  Candidate("VirtualBox Host-Only Network", "192.168.56.1"),
                  Candidate("Local Area Connection", "10.20.30.40")]
    assert choose_lan_address(candidates) == "10.20.30.40"


def test_no_address_when_only_loopback():
    assert choose_lan_address([Candidate("lo", "127.0.0.1"), Candidate("lo", "::1")]) is None


@pytest.mark.parametrize(
    "host, loopback",
    [("localhost:5000", True), ("127.0.0.1:5000", True), ("[::1]:5000", True), ("app.localhost", True),
     ("192.168.1.5:5000", False), ("kuulluksi.example.fi", False)],
)
def test_loopback_hosts(host, loopback):
    assert is_loopback_host(host) is loopback


def test_localhost_is_replaced_by_the_lan_address_keeping_the_port():
    assert public_base_url("http://localhost:5000/", None, "192.168.43.12") == "http://192.168.43.12:5000/"


def test_a_real_host_is_kept():
    assert public_base_url("http://192.168.1.7:5000/", None, "10.0.0.2") == "http://192.168.1.7:5000/"


def test_the_configured_base_url_wins():
    assert public_base_url("http://localhost:5000/", "https://raportti.alue.fi", "10.0.0.2") == "https://raportti.alue.fi/"


def test_without_a_network_localhost_stays():
    assert public_base_url("http://localhost:5000/", None, None) == "http://localhost:5000/"
