"""A real S3 API server on 127.0.0.1 (moto in server mode, a test dependency) and a fresh bucket
prefix per test, with the standard AWS variables pointing at it. Shared by the object-store tests
here and the two-app-processes browser test (which passes :func:`aws_environment` to its
subprocesses); import the fixtures by name."""

from __future__ import annotations

import pytest

BUCKET = "beyond-gdp-test"


def aws_environment(endpoint: str) -> dict[str, str]:
    """The AWS variables a process needs to reach the local server (pyarrow and boto3 read them)."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }


@pytest.fixture(scope="module")
def s3_endpoint():
    moto_server = pytest.importorskip("moto.server", reason="moto (a test dependency) runs the local S3 server")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint, monkeypatch, request):
    """A fresh prefix in the bucket (``s3://beyond-gdp-test/<test name>``), with the AWS variables set."""
    boto3 = pytest.importorskip("boto3")
    for name, value in aws_environment(s3_endpoint).items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3")
    if BUCKET not in [b["Name"] for b in client.list_buckets().get("Buckets", [])]:
        client.create_bucket(Bucket=BUCKET)
    return f"s3://{BUCKET}/{request.node.name}"
