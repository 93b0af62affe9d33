using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;

namespace Parley.Xmpp.Sasl;

/// <summary>
/// The server side of one SCRAM exchange (RFC 5802, RFC 7677), without channel binding ("n,," or "y,,").
/// Order: <see cref="ReadClientFirst"/>, look the user up, <see cref="CreateServerFirst"/>, <see cref="VerifyClientFinal"/>.
/// </summary>
/// <remarks>
/// Syntax errors fail with <see cref="SaslFailure.MalformedRequest"/>, bad UTF-8 or base64 with
/// <see cref="SaslFailure.IncorrectEncoding"/>, and wrong proofs, nonces or channel-binding data with
/// <see cref="SaslFailure.NotAuthorized"/>. Whether the authzid may differ from the user is the caller's policy.
/// </remarks>
public sealed class ScramServer
{
    /// <summary>SCRAM messages are short; anything longer is not a client we talk to.</summary>
    public const int MaxMessageBytes = 4096;

    /// <summary>Random bytes in the server's part of the nonce (RFC 5802 asks for unpredictability; 18 bytes is 144 bits).</summary>
    private const int ServerNonceBytes = 18;

    private readonly Func<string> _serverNonce;

    private ExchangeState _state;
    private string? _clientFirstBare;
    private string? _gs2Header;
    private string? _clientNonce;
    private string? _nonce;
    private string? _serverFirst;
    private ScramCredential? _credential;

    public ScramServer(ScramHash hash)
        : this(hash, static () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(ServerNonceBytes)))
    {
    }

    /// <summary>For tests: a fixed server nonce reproduces the RFC example exchanges.</summary>
    internal ScramServer(ScramHash hash, Func<string> serverNonce)
    {
        _ = ScramAlgorithms.Length(hash);
        Hash = hash;
        _serverNonce = serverNonce;
    }

    private enum ExchangeState
    {
        AwaitingClientFirst,
        ClientFirstRead,
        ServerFirstSent,
        Finished,
    }

    public ScramHash Hash { get; }

    /// <summary>The authzid from the gs2 header ("a="), decoded, or null when the client sent none.</summary>
    public string? AuthorizationIdentity { get; private set; }

    /// <summary>The username from client-first-message once it has been read.</summary>
    public string? Username { get; private set; }

    public static string MechanismName(ScramHash hash) => hash == ScramHash.Sha1 ? "SCRAM-SHA-1" : "SCRAM-SHA-256";

    /// <summary>
    /// A credential for a user that does not exist, deterministic per username (same salt on every attempt)
    /// so the server-first-message does not reveal whether the account exists. Proofs never verify against it.
    /// </summary>
    public static ScramCredential CreateDummyCredential(ScramHash hash, string username, byte[] serverSecret, int iterations = 4096)
    {
        ArgumentNullException.ThrowIfNull(username);
        ArgumentNullException.ThrowIfNull(serverSecret);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        var user = Encoding.UTF8.GetBytes(username);
        byte[] Derive(string label) => HMACSHA256.HashData(serverSecret, (byte[])[.. Encoding.ASCII.GetBytes(label), 0, .. user]);
        var length = ScramAlgorithms.Length(hash);
        return new ScramCredential(hash, Derive("salt")[..16], iterations, Derive("stored")[..length], Derive("server")[..length]);
    }

    /// <summary>Parses client-first-message; returns the (SASLprep'd, =2C/=3D-decoded) username or a failure.</summary>
    public bool ReadClientFirst(ReadOnlySpan<byte> message, out string username, out SaslFailure failure)
    {
        username = string.Empty;
        if (_state != ExchangeState.AwaitingClientFirst)
        {
            throw new InvalidOperationException("client-first-message was already read");
        }

        _state = ExchangeState.Finished;
        if (!TryDecode(message, out var text, out failure))
        {
            return false;
        }

        // gs2-header = gs2-cbind-flag "," [ authzid ] ","; "p=" (channel binding) is refused: no -PLUS is offered.
        var parts = text.Split(',');
        if (parts.Length < 4 || parts[0] is not ("n" or "y"))
        {
            return Fail(SaslFailure.MalformedRequest, out failure);
        }

        if (parts[1].Length > 0)
        {
            if (!parts[1].StartsWith("a=", StringComparison.Ordinal) || !TryDecodeSaslName(parts[1][2..], out var authzid))
            {
                return Fail(SaslFailure.MalformedRequest, out failure);
            }

            AuthorizationIdentity = authzid;
        }

        // client-first-message-bare = [reserved-mext ","] username "," nonce ["," extensions]; "m=" is not supported.
        if (!parts[2].StartsWith("n=", StringComparison.Ordinal) || !TryDecodeSaslName(parts[2][2..], out var name) || name.Length == 0)
        {
            return Fail(SaslFailure.MalformedRequest, out failure);
        }

        if (!parts[3].StartsWith("r=", StringComparison.Ordinal) || !IsPrintable(parts[3].AsSpan(2)))
        {
            return Fail(SaslFailure.MalformedRequest, out failure);
        }

        var prepared = SaslPrep.Prepare(name);
        if (string.IsNullOrEmpty(prepared))
        {
            return Fail(SaslFailure.MalformedRequest, out failure);
        }

        _gs2Header = string.Concat(parts[0], ",", parts[1], ",");
        _clientFirstBare = text[_gs2Header.Length..];
        _clientNonce = parts[3][2..];
        Username = username = prepared;
        _state = ExchangeState.ClientFirstRead;
        return true;
    }

    /// <summary>server-first-message. For an unknown user pass a dummy credential so the exchange does not reveal that.</summary>
    public byte[] CreateServerFirst(ScramCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        if (_state != ExchangeState.ClientFirstRead)
        {
            throw new InvalidOperationException("server-first-message needs a successfully read client-first-message");
        }

        if (credential.Hash != Hash)
        {
            throw new ArgumentException("the credential is for another hash", nameof(credential));
        }

        _credential = credential;
        _nonce = _clientNonce + _serverNonce();
        _serverFirst = $"r={_nonce},s={Convert.ToBase64String(credential.Salt)},i={credential.Iterations}";
        _state = ExchangeState.ServerFirstSent;
        return Encoding.UTF8.GetBytes(_serverFirst);
    }

    /// <summary>Verifies client-final-message; on success returns server-final-message ("v=...").</summary>
    public bool VerifyClientFinal(ReadOnlySpan<byte> message, out byte[] serverFinal, out SaslFailure failure)
    {
        serverFinal = [];
        if (_state != ExchangeState.ServerFirstSent)
        {
            throw new InvalidOperationException("client-final-message before server-first-message");
        }

        _state = ExchangeState.Finished;
        if (!TryDecode(message, out var text, out failure))
        {
            return false;
        }

        // client-final-message = channel-binding "," nonce ["," extensions] "," proof; the proof is last.
        var proofStart = text.LastIndexOf(",p=", StringComparison.Ordinal);
        if (!text.StartsWith("c=", StringComparison.Ordinal) || proofStart < 0)
        {
            return Fail(SaslFailure.MalformedRequest, out failure);
        }

        var withoutProof = text[..proofStart];
        var parts = withoutProof.Split(',');
        if (parts.Length < 2 || !parts[1].StartsWith("r=", StringComparison.Ordinal))
        {
            return Fail(SaslFailure.MalformedRequest, out failure);
        }

        if (!TryBase64(parts[0].AsSpan(2), out var channelBinding) || !TryBase64(text.AsSpan(proofStart + 3), out var proof))
        {
            return Fail(SaslFailure.IncorrectEncoding, out failure);
        }

        var credential = _credential!;
        if (!channelBinding.AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(_gs2Header!))
            || !string.Equals(parts[1][2..], _nonce, StringComparison.Ordinal)
            || proof.Length != credential.StoredKey.Length)
        {
            return Fail(SaslFailure.NotAuthorized, out failure);
        }

        var authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{_serverFirst},{withoutProof}");
        var clientSignature = ScramAlgorithms.Hmac(Hash, credential.StoredKey, authMessage);
        for (var i = 0; i < proof.Length; i++)
        {
            proof[i] ^= clientSignature[i];
        }

        if (!CryptographicOperations.FixedTimeEquals(ScramAlgorithms.Hash(Hash, proof), credential.StoredKey))
        {
            return Fail(SaslFailure.NotAuthorized, out failure);
        }

        var serverSignature = ScramAlgorithms.Hmac(Hash, credential.ServerKey, authMessage);
        serverFinal = Encoding.ASCII.GetBytes("v=" + Convert.ToBase64String(serverSignature));
        failure = default;
        return true;
    }

    private static bool TryDecode(ReadOnlySpan<byte> message, out string text, out SaslFailure failure)
    {
        text = string.Empty;
        if (message.IsEmpty || message.Length > MaxMessageBytes)
        {
            return Fail(SaslFailure.MalformedRequest, out failure);
        }

        if (!Utf8.IsValid(message) || message.Contains((byte)0))
        {
            return Fail(SaslFailure.IncorrectEncoding, out failure);
        }

        text = Encoding.UTF8.GetString(message);
        failure = default;
        return true;
    }

    /// <summary>saslname: ',' and '=' only as "=2C" and "=3D" (RFC 5802 §5.1).</summary>
    private static bool TryDecodeSaslName(string encoded, out string decoded)
    {
        decoded = encoded;
        if (!encoded.Contains('='))
        {
            return true;
        }

        var builder = new StringBuilder(encoded.Length);
        for (var i = 0; i < encoded.Length; i++)
        {
            if (encoded[i] != '=')
            {
                builder.Append(encoded[i]);
                continue;
            }

            var escape = encoded.AsSpan(i + 1, Math.Min(2, encoded.Length - i - 1));
            if (escape.SequenceEqual("2C"))
            {
                builder.Append(',');
            }
            else if (escape.SequenceEqual("3D"))
            {
                builder.Append('=');
            }
            else
            {
                return false;
            }

            i += 2;
        }

        decoded = builder.ToString();
        return true;
    }

    /// <summary>printable = %x21-2B / %x2D-7E (no comma), at least one.</summary>
    private static bool IsPrintable(ReadOnlySpan<char> nonce)
    {
        if (nonce.IsEmpty)
        {
            return false;
        }

        foreach (var c in nonce)
        {
            if (c is < '!' or > '~' or ',')
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryBase64(ReadOnlySpan<char> text, out byte[] bytes)
    {
        bytes = [];
        if (text.IsEmpty || !Base64.IsValid(text, out var length))
        {
            return false;
        }

        bytes = new byte[length];
        return Convert.TryFromBase64Chars(text, bytes, out var written) && written == length;
    }

    private static bool Fail(SaslFailure reason, out SaslFailure failure)
    {
        failure = reason;
        return false;
    }
}
