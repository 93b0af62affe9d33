using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Text;
using Parley.Server.Diagnostics;
using Parley.Server.Security;
using Parley.Xmpp;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Sasl;
using Parley.Xmpp.Streams;
using Parley.Xmpp.Xml;

namespace Parley.Server.Xmpp.C2s;

/// <summary>Stream headers, features, STARTTLS and SASL (RFC 6120 §4–6).</summary>
internal sealed partial class C2sConnection
{
    private NextStep OpenStream(Element header)
    {
        if (_state != ConnectionState.AwaitingStreamHeader)
        {
            throw new XmppStreamException(XmppStreamErrorReason.NotWellFormed, "A second stream header.");
        }

        var hosted = _services.Settings.Current.Domains;
        var to = header.GetAttribute("to");
        _lang = header.GetAttribute("xml:lang");
        _streamId = Convert.ToBase64String(RandomNumberGenerator.GetBytes(12));
        if (to is null && hosted.Count == 1)
        {
            to = hosted.First();
        }

        if (to is null || !Jid.TryParse(to, out var toJid) || toJid.Local is not null || toJid.Resource is not null || !hosted.Contains(toJid.Domain))
        {
            _domain = hosted.FirstOrDefault() ?? string.Empty;
            SendRaw(HeaderBytes());
            throw new XmppStreamException(XmppStreamErrorReason.HostUnknown, "This server does not host that domain.");
        }

        if (_authenticated is not null && toJid.Domain != _domain)
        {
            throw new XmppStreamException(XmppStreamErrorReason.HostUnknown, "The restarted stream names another domain.");
        }

        _domain = toJid.Domain;
        SendRaw(HeaderBytes());
        if (header.GetAttribute("version") is not { } version || !version.StartsWith("1.", StringComparison.Ordinal))
        {
            throw new XmppStreamException(XmppStreamErrorReason.UnsupportedVersion, "Parley speaks XMPP 1.0 (RFC 6120).");
        }

        Send(Features());
        _state = _authenticated is null ? ConnectionState.Negotiating : ConnectionState.Authenticated;
        return NextStep.Continue;
    }

    private byte[] HeaderBytes()
        => Bytes(w => XmppStreamWriter.WriteHeader(w, XmppNamespaces.Client, _domain.Length == 0 ? null : _domain, null, _streamId.Length == 0 ? null : _streamId, _lang ?? "en"));

    private Element Features()
    {
        var features = new Element("features", XmppNamespaces.Streams);
        if (_authenticated is not null)
        {
            features.AddChild("bind", XmppNamespaces.Bind);
            features.AddChild("session", XmppNamespaces.Session).AddChild("optional", XmppNamespaces.Session);
            features.AddChild("sm", XmppNamespaces.StreamManagement);
            features.AddChild("ver", XmppNamespaces.RosterVersioning);
            features.AddChild("sub", XmppNamespaces.PreApproval);
            return features;
        }

        if (!_tls)
        {
            var startTls = features.AddChild("starttls", XmppNamespaces.Tls);
            if (Options.RequireTls)
            {
                startTls.AddChild("required", XmppNamespaces.Tls);
                return features;
            }
        }

        var mechanisms = features.AddChild("mechanisms", XmppNamespaces.Sasl);
        mechanisms.AddChild("mechanism", XmppNamespaces.Sasl).AddText(ScramServer.MechanismName(ScramHash.Sha256));
        mechanisms.AddChild("mechanism", XmppNamespaces.Sasl).AddText(ScramServer.MechanismName(ScramHash.Sha1));
        if (_tls)
        {
            mechanisms.AddChild("mechanism", XmppNamespaces.Sasl).AddText("PLAIN");
        }

        return features;
    }

    private async ValueTask<NextStep> NegotiateAsync(Element element)
    {
        if (element.Is("starttls", XmppNamespaces.Tls) && _state == ConnectionState.Negotiating)
        {
            if (_tls)
            {
                throw new XmppStreamException(XmppStreamErrorReason.PolicyViolation, "TLS is already on.");
            }

            SendRaw(Bytes(w => new Element("proceed", XmppNamespaces.Tls).WriteTo(w, XmppNamespaces.Client)));
            return NextStep.StartTls;
        }

        if (element.Namespace != XmppNamespaces.Sasl)
        {
            if (!_tls && Options.RequireTls)
            {
                throw new XmppStreamException(XmppStreamErrorReason.PolicyViolation, "STARTTLS is required before anything else.");
            }

            throw new XmppStreamException(XmppStreamErrorReason.NotAuthorized, "Authenticate before sending stanzas.");
        }

        return element.Name switch
        {
            "auth" when _state == ConnectionState.Negotiating => await AuthAsync(element).ConfigureAwait(false),
            "response" when _state == ConnectionState.AwaitingSaslResponse => await ScramFinalAsync(element).ConfigureAwait(false),
            "abort" => await FailAsync(SaslFailure.Aborted, null, "abort").ConfigureAwait(false),
            _ => await FailAsync(SaslFailure.MalformedRequest, null, element.Name).ConfigureAwait(false),
        };
    }

    private async Task StartTlsAsync()
    {
        await WhenDrainedAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        await _input.CompleteAsync().ConfigureAwait(false);
        await _output.CompleteAsync().ConfigureAwait(false);

        var tls = new SslStream(new SmallReadStream(_network), leaveInnerStreamOpen: false);
        try
        {
            var options = new SslServerAuthenticationOptions
            {
                ServerCertificateContext = _services.Tls.Current,
                ClientCertificateRequired = false,
                CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
            };
            await tls.AuthenticateAsServerAsync(options, _abort.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            _services.Events.Raise(ParleyEvents.Tls.HandshakeFailed, RemoteEndPoint, ex.GetBaseException().Message);
            throw new OperationCanceledException("TLS handshake failed.", ex);
        }

        OpenSslBufferRelease.TryEnable(tls);
        _tls = true;
        _stream = tls;
        _input = PipeReader.Create(tls, ReaderOptions);
        _output = PipeWriter.Create(tls, WriterOptions);
        _parser.Reset();
        _state = ConnectionState.AwaitingStreamHeader;
        _streamId = string.Empty;
    }

    private async ValueTask<NextStep> AuthAsync(Element auth)
    {
        var mechanism = auth.GetAttribute("mechanism") ?? string.Empty;
        if (!_tls && Options.RequireTls)
        {
            return await FailAsync(SaslFailure.EncryptionRequired, null, mechanism).ConfigureAwait(false);
        }

        if (!TryDecode(auth.Text, out var initial))
        {
            return await FailAsync(SaslFailure.IncorrectEncoding, null, mechanism).ConfigureAwait(false);
        }

        switch (mechanism)
        {
            case "PLAIN" when _tls:
                return await PlainAsync(initial).ConfigureAwait(false);
            case "SCRAM-SHA-256":
                return await ScramFirstAsync(ScramHash.Sha256, mechanism, initial).ConfigureAwait(false);
            case "SCRAM-SHA-1":
                return await ScramFirstAsync(ScramHash.Sha1, mechanism, initial).ConfigureAwait(false);
            default:
                return await FailAsync(mechanism == "PLAIN" ? SaslFailure.EncryptionRequired : SaslFailure.InvalidMechanism, null, mechanism).ConfigureAwait(false);
        }
    }

    private async ValueTask<NextStep> PlainAsync(byte[] message)
    {
        if (!SaslPlain.TryParse(message, out var authzid, out var authcid, out var password))
        {
            return await FailAsync(SaslFailure.MalformedRequest, null, "PLAIN").ConfigureAwait(false);
        }

        if (!TryUserJid(authcid, out var jid))
        {
            return await FailAsync(SaslFailure.NotAuthorized, null, "PLAIN").ConfigureAwait(false);
        }

        if (authzid.Length > 0 && (!Jid.TryParse(authzid, out var requested) || requested != jid))
        {
            return await FailAsync(SaslFailure.InvalidAuthzid, jid, "PLAIN").ConfigureAwait(false);
        }

        var user = await _services.Directory.ReadUserAsync(jid, _abort.Token).ConfigureAwait(false);
        var credential = user?.Credential(ScramHash.Sha256) ?? user?.Credential(ScramHash.Sha1);
        if (user is null || credential is null || !credential.VerifyPassword(password))
        {
            return await FailAsync(SaslFailure.NotAuthorized, jid, "PLAIN").ConfigureAwait(false);
        }

        if (!user.Enabled)
        {
            return await FailAsync(SaslFailure.AccountDisabled, jid, "PLAIN").ConfigureAwait(false);
        }

        return Succeed(jid, null);
    }

    private async ValueTask<NextStep> ScramFirstAsync(ScramHash hash, string mechanism, byte[] message)
    {
        var scram = new ScramServer(hash);
        if (!scram.ReadClientFirst(message, out var username, out var failure))
        {
            return await FailAsync(failure, null, mechanism).ConfigureAwait(false);
        }

        var user = TryUserJid(username, out var jid) ? await _services.Directory.ReadUserAsync(jid, _abort.Token).ConfigureAwait(false) : null;

        // An unknown user gets a made-up credential so the exchange fails only at the proof, like a wrong password.
        var credential = user?.Credential(hash) ?? DummyCredential(hash, username);
        _scram = scram;
        _scramMechanism = mechanism;
        _scramUser = user is null ? null : jid;
        _scramUserEnabled = user?.Enabled ?? false;
        var challenge = new Element("challenge", XmppNamespaces.Sasl).AddText(Convert.ToBase64String(scram.CreateServerFirst(credential)));
        Send(challenge);
        _state = ConnectionState.AwaitingSaslResponse;
        return NextStep.Continue;
    }

    private async ValueTask<NextStep> ScramFinalAsync(Element response)
    {
        var scram = _scram!;
        _scram = null;
        _state = ConnectionState.Negotiating;
        if (!TryDecode(response.Text, out var message))
        {
            return await FailAsync(SaslFailure.IncorrectEncoding, _scramUser, _scramMechanism).ConfigureAwait(false);
        }

        if (!scram.VerifyClientFinal(message, out var serverFinal, out var failure) || _scramUser is null)
        {
            return await FailAsync(_scramUser is null ? SaslFailure.NotAuthorized : failure, _scramUser, _scramMechanism).ConfigureAwait(false);
        }

        if (!_scramUserEnabled)
        {
            return await FailAsync(SaslFailure.AccountDisabled, _scramUser, _scramMechanism).ConfigureAwait(false);
        }

        return Succeed(_scramUser, serverFinal);
    }

    private NextStep Succeed(Jid user, byte[]? additionalData)
    {
        var success = new Element("success", XmppNamespaces.Sasl);
        if (additionalData is not null)
        {
            success.AddText(Convert.ToBase64String(additionalData));
        }

        Send(success);
        _authenticated = user;
        _parser.Reset();
        _state = ConnectionState.AwaitingStreamHeader;
        _streamId = string.Empty;
        Log.Authenticated(Logger, RemoteEndPoint, _scramMechanism.Length > 0 ? _scramMechanism : "PLAIN");
        return NextStep.Continue;
    }

    private async ValueTask<NextStep> FailAsync(SaslFailure failure, Jid? user, string mechanism)
    {
        _scram = null;
        _state = ConnectionState.Negotiating;
        var address = RemoteAddress;
        if (failure is SaslFailure.AccountDisabled)
        {
            _services.Events.Raise(ParleyEvents.Authentication.DisabledAccount, user?.ToString() ?? "(unknown)", RemoteEndPoint);
        }
        else if (failure is not SaslFailure.Aborted)
        {
            _services.Events.Raise(ParleyEvents.Authentication.Failed, user?.ToString() ?? "(unknown user)", RemoteEndPoint, mechanism, SaslFailureName(failure));
            var (throttled, first, failures) = _services.AuthFailures.RecordFailure(address);
            if (first)
            {
                _services.Events.Raise(ParleyEvents.Authentication.RepeatedFailures, failures, address, Options.AuthFailureWindow.TotalSeconds);
            }

            if (throttled)
            {
                // Slows password guessing from one address without locking the real user out.
                await Task.Delay(TimeSpan.FromSeconds(1), _services.Time, _abort.Token).ConfigureAwait(false);
            }
        }

        var element = new Element("failure", XmppNamespaces.Sasl);
        element.AddChild(SaslFailureName(failure), XmppNamespaces.Sasl);
        Send(element);

        if (++_authFailures >= Options.MaxAuthFailuresPerStream)
        {
            throw new XmppStreamException(XmppStreamErrorReason.PolicyViolation, "Too many failed authentication attempts on this stream.");
        }

        return NextStep.Continue;
    }

    private bool TryUserJid(string username, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Jid? jid)
    {
        jid = null;
        if (username.Contains('@'))
        {
            return Jid.TryParse(username, out jid) && jid.Local is not null && jid.Resource is null && jid.Domain == _domain;
        }

        return Jid.TryCreate(username, _domain, null, out jid, out _);
    }

    private ScramCredential DummyCredential(ScramHash hash, string username)
    {
        var size = hash == ScramHash.Sha1 ? 20 : 32;
        var salt = SHA256.HashData(Encoding.UTF8.GetBytes(_domain + "\0" + username)).AsSpan(0, 16).ToArray();
        return new ScramCredential(hash, salt, 4096, RandomNumberGenerator.GetBytes(size), RandomNumberGenerator.GetBytes(size));
    }

    private static bool TryDecode(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length == 0 || text == "=")
        {
            return true;
        }

        if (text.Length > 8192)
        {
            return false;
        }

        try
        {
            bytes = Convert.FromBase64String(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static string SaslFailureName(SaslFailure failure) => failure switch
    {
        SaslFailure.Aborted => "aborted",
        SaslFailure.AccountDisabled => "account-disabled",
        SaslFailure.CredentialsExpired => "credentials-expired",
        SaslFailure.EncryptionRequired => "encryption-required",
        SaslFailure.IncorrectEncoding => "incorrect-encoding",
        SaslFailure.InvalidAuthzid => "invalid-authzid",
        SaslFailure.InvalidMechanism => "invalid-mechanism",
        SaslFailure.MalformedRequest => "malformed-request",
        SaslFailure.MechanismTooWeak => "mechanism-too-weak",
        SaslFailure.TemporaryAuthFailure => "temporary-auth-failure",
        _ => "not-authorized",
    };
}
