"""NEWSBOT_ARCHIVE_URL read: where the archive is, never with credentials."""

import pytest

from index.archive.location import BadArchiveUrlError, remote_location


@pytest.mark.parametrize("empty", ["", "   "])
def test_an_empty_url_is_the_embedded_archive(empty):
    assert remote_location(empty) is None


def test_a_milvus_url_names_the_server_and_the_port():
    location = remote_location("milvus://milvus.internal:19531")
    assert location is not None
    assert (location.host, location.port, location.tls) == ("milvus.internal", 19531, False)
    assert location.uri == "http://milvus.internal:19531"
    assert location.shown == "milvus://milvus.internal:19531"


def test_milvus_tls_speaks_https_and_the_port_defaults_to_milvus_own():
    location = remote_location("milvus+tls://db.example.org")
    assert location is not None
    assert (location.port, location.tls, location.uri) == (19530, True, "https://db.example.org:19530")


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://milvus:19530", "milvus://host:port"),
        ("qdrant://q:6333", "milvus://host:port"),
        ("milvus://newsbot:secret@milvus:19530", "NEWSBOT_ARCHIVE_TOKEN"),
        ("milvus://milvus:19530/newsroom", "NEWSBOT_ARCHIVE_COLLECTIONS"),
        ("milvus://milvus:port", "bad port"),
        ("milvus://:19530", "no host"),
    ],
)
def test_a_url_it_cannot_open_says_what_to_give(url, says):
    with pytest.raises(BadArchiveUrlError, match=says) as raised:
        remote_location(url)
    assert "secret" not in str(raised.value)  # a credential put in the URL is never repeated
