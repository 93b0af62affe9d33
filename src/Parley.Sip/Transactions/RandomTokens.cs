using System.Security.Cryptography;

namespace Parley.Sip.Transactions;

/// <summary>
/// Branches, tags and other random identifiers drawn from a buffer of cryptographically random bytes that this
/// instance refills 512 bytes at a time. A relayed MESSAGE needs several (its branch, the tags of its responses, the
/// relay's From tag), and each call to the system generator costs a trip through OpenSSL's DRBG whatever its size:
/// one call per token was 4-6 % of the server's CPU under load. Bytes handed out are cleared from the buffer.
/// Thread-safe.
/// </summary>
public sealed class RandomTokens
{
    private const int BufferBytes = 512;
    private const int BranchBytes = 16;
    private const int TagBytes = 8;

    private readonly Lock _gate = new();
    private readonly byte[] _buffer = new byte[BufferBytes];
    private int _next = BufferBytes;

    /// <summary>A branch (RFC 3261 §8.1.1.7): the magic cookie and 128 random bits in hex.</summary>
    public string NewBranch()
    {
        Span<byte> random = stackalloc byte[BranchBytes];
        Fill(random);
        Span<char> text = stackalloc char[Messages.ViaHeader.MagicCookie.Length + (2 * BranchBytes)];
        Messages.ViaHeader.MagicCookie.CopyTo(text);
        Convert.TryToHexStringLower(random, text[Messages.ViaHeader.MagicCookie.Length..], out _);
        return new string(text);
    }

    /// <summary>A From/To tag (RFC 3261 §19.3): 64 random bits in hex.</summary>
    public string NewTag() => NewHex(TagBytes);

    /// <summary><paramref name="bytes"/> random bytes in lower-case hex (a Call-ID's random part, a message id).</summary>
    public string NewHex(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, BufferBytes);
        Span<byte> random = stackalloc byte[bytes];
        Fill(random);
        return Convert.ToHexStringLower(random);
    }

    private void Fill(Span<byte> destination)
    {
        lock (_gate)
        {
            if (_next + destination.Length > BufferBytes)
            {
                RandomNumberGenerator.Fill(_buffer);
                _next = 0;
            }

            var taken = _buffer.AsSpan(_next, destination.Length);
            taken.CopyTo(destination);
            taken.Clear();
            _next += destination.Length;
        }
    }
}
