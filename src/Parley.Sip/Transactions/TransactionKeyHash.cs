using System.Runtime.InteropServices;

namespace Parley.Sip.Transactions;

/// <summary>
/// A 64-bit hash of a <see cref="TransactionKey"/> for the compact timer J and K stores: two <see cref="HashCode"/>
/// computations (randomly seeded per process) over the key's UTF-16 characters, each salted with its own random
/// prefix. Branches come from peers, so the seeds keep collisions from being chosen; the stores still verify or
/// tolerate collisions rather than rely on their absence.
/// </summary>
internal sealed class TransactionKeyHash
{
    private readonly long _lowSalt = Random.Shared.NextInt64();
    private readonly long _highSalt = Random.Shared.NextInt64();

    public ulong Of(TransactionKey key) => (uint)Half(key, _lowSalt) | ((ulong)(uint)Half(key, _highSalt) << 32);

    private static int Half(TransactionKey key, long salt)
    {
        var hash = new HashCode();
        hash.Add(salt);
        Add(ref hash, key.Branch);
        Add(ref hash, key.SentBy);
        Add(ref hash, key.Method);
        return hash.ToHashCode();
    }

    // The length first, so ("ab", "c") and ("a", "bc") differ.
    private static void Add(ref HashCode hash, string? text)
    {
        var chars = (text ?? string.Empty).AsSpan();
        hash.Add(chars.Length);
        hash.AddBytes(MemoryMarshal.AsBytes(chars));
    }
}
