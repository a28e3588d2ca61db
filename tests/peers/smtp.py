"""An aiosmtpd server on loopback that records mail, with STARTTLS/SMTPS, AUTH and outages."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import ipaddress
import shutil
import ssl
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from . import Peer


@dataclass(frozen=True)
class ReceivedMessage:
    """One message as the server received it (or refused it, in `peer.refused`)."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    message: EmailMessage
    tls: bool  # the DATA travelled encrypted (STARTTLS or SMTPS)
    username: str | None  # who authenticated, if anyone


def make_certificate(folder: Path) -> tuple[Path, Path, Path]:
    """A throw-away CA and a server certificate for 127.0.0.1/localhost signed by it.

    Returns (ca_cert, server_cert, server_key). A separate CA keeps strict X.509 checks
    happy, which reject a self-signed leaf used as its own trust anchor.
    """
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Chokepoint test CA")])
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(ca=True), critical=True)
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(ca=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    paths = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    paths[0].write_bytes(ca.public_bytes(pem))
    paths[1].write_bytes(leaf.public_bytes(pem))
    paths[2].write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


def _key_usage(ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


class _Controller(Controller):
    """A Controller that binds port 0 and learns the port the kernel chose."""

    def _create_server(self) -> Any:
        async def bind() -> asyncio.AbstractServer:
            server = await self.loop.create_server(
                self._factory_invoker, host=self.hostname, port=self.port, ssl=self.ssl_context
            )
            self.port = server.sockets[0].getsockname()[1]
            return server

        return bind()


class SmtpPeer(Peer):
    """Records mail at 127.0.0.1:`peer.port`; TLS clients trust `peer.cert_path`."""

    host = "127.0.0.1"

    def __init__(
        self,
        *,
        require_starttls: bool = False,
        implicit_tls: bool = False,
        auth: Mapping[str, str] | None = None,
        folder: Path | None = None,
    ) -> None:
        if require_starttls and implicit_tls:
            raise ValueError("choose require_starttls or implicit_tls, not both")
        self.require_starttls = require_starttls
        self.implicit_tls = implicit_tls
        self.auth = dict(auth) if auth is not None else None
        self._own_folder = folder is None
        self._folder = Path(tempfile.mkdtemp(prefix="smtp-peer-")) if folder is None else folder
        self.cert_path: Path | None = None
        self._server_ctx: ssl.SSLContext | None = None
        if require_starttls or implicit_tls:
            self.cert_path, cert, key = make_certificate(self._folder)
            self._server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._server_ctx.load_cert_chain(cert, key)
        self._lock = threading.Condition()
        self._messages: list[ReceivedMessage] = []
        self._refused: list[ReceivedMessage] = []
        self._fail: list[tuple[int, str]] = []
        self.port = 0
        self._controller: _Controller | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> SmtpPeer:
        self.up()
        return self

    def up(self) -> None:
        """Listen (again, on the same port after `down()`)."""
        kwargs: dict[str, Any] = {}
        if self.auth is not None:
            # AUTH over plain text is allowed only when the test asked for no TLS at all;
            # with SMTPS the whole connection is already encrypted.
            kwargs["authenticator"] = self._authenticate
            kwargs["auth_require_tls"] = self.require_starttls
        if self.require_starttls:
            kwargs.update(tls_context=self._server_ctx, require_starttls=True)
        controller = _Controller(
            _Handler(self),
            hostname=self.host,
            port=self.port,
            ssl_context=self._server_ctx if self.implicit_tls else None,
            **kwargs,
        )
        controller.start()
        self.port = controller.port
        self._controller = controller

    def down(self) -> None:
        """Stop listening: clients now get 'connection refused' on the same port."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def is_up(self) -> bool:
        return self._controller is not None

    def close(self) -> None:
        self.down()
        if self._own_folder:
            shutil.rmtree(self._folder, ignore_errors=True)


    # -- what was received -------------------------------------------------------------------
    @property
    def messages(self) -> list[ReceivedMessage]:
        """Accepted messages, oldest first (a copy)."""
        with self._lock:
            return list(self._messages)

    @property
    def refused(self) -> list[ReceivedMessage]:
        """Messages refused by `fail_next`, to count delivery attempts."""
        with self._lock:
            return list(self._refused)

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[ReceivedMessage]:
        """Block until `count` messages were accepted (for code that sends from threads)."""
        with self._lock:
            if not self._lock.wait_for(lambda: len(self._messages) >= count, timeout):
                raise AssertionError(f"expected {count} message(s), got {len(self._messages)}")
            return list(self._messages)

    def client_context(self) -> ssl.SSLContext:
        """An SSL context for a client that trusts this server's certificate."""
        return ssl.create_default_context(cafile=str(self.cert_path) if self.cert_path else None)

    # -- scripting ---------------------------------------------------------------------------
    def fail_next(
        self, n: int = 1, code: int = 421, message: str = "4.3.0 Service not available"
    ) -> None:
        """Refuse the next `n` messages at the end of DATA with `code` (421: an outage)."""
        with self._lock:
            self._fail.extend([(code, message)] * n)

    def clear_failures(self) -> None:
        """Forget the refusals `fail_next` queued that were not used yet (the outage ends)."""
        with self._lock:
            self._fail.clear()

    # -- used by the handler -----------------------------------------------------------------
    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword) or self.auth is None:
            return AuthResult(success=False, handled=False)
        user = auth_data.login.decode("utf-8", "replace")
        password = auth_data.password.decode("utf-8", "replace")
        if self.auth.get(user) == password:
            return AuthResult(success=True, auth_data=user)
        return AuthResult(success=False, handled=False)  # aiosmtpd answers 535

    def _receive(self, received: ReceivedMessage) -> str:
        with self._lock:
            if self._fail:
                code, message = self._fail.pop(0)
                self._refused.append(received)
                return f"{code} {message}"
            self._messages.append(received)
            self._lock.notify_all()
            return "250 OK"


class _Handler:
    def __init__(self, peer: SmtpPeer) -> None:
        self.peer = peer

    async def handle_MAIL(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        mail_options: list[str],
    ) -> str:
        # Enforced here rather than with aiosmtpd's auth_required, which warns without TLS.
        if self.peer.auth is not None and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        transport = server.transport
        received = ReceivedMessage(
            mail_from=envelope.mail_from or "",
            rcpt_tos=tuple(envelope.rcpt_tos),
            raw=raw,
            message=parsed,
            tls=transport is not None and transport.get_extra_info("cipher") is not None,
            username=session.auth_data if session.authenticated else None,
        )
        return self.peer._receive(received)
