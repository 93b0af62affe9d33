using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Parley.Sip.Messages;
using Parley.Sip.Parsing;

namespace Parley.Sip.Transactions;

/// <summary>
/// Timer J (RFC 3261 §17.2.2): for each completed non-INVITE server transaction over UDP, its key and final response
/// as sent, so a retransmitted request gets the same response again without reaching the TU.
/// </summary>
/// <remarks>
/// Under load this holds about 100,000 entries (3,000 a second, each kept 64*T1 = 32 s). Kept as objects, they all
/// outlived the young generations and died in gen2, and the collector became the largest cost per MESSAGE. Here they
/// are bytes appended in time order to large reused segments (no references, so the collector never scans or copies
/// them, and steady state allocates nothing), indexed by a 64-bit key hash in a dictionary of unmanaged keys and
/// values. Every entry lives the same time, so expiry only moves the head forward (the layer's periodic sweep calls
/// <see cref="ExpireDue"/>); a segment the head has left goes back to a small free list. Entries with the same hash
/// are chained (each header holds the position of the previous one) and a lookup compares the full key, so a
/// collision costs a step along the chain, never a wrong answer. A position is the segment's sequence number (high
/// 32 bits) and the offset in it, so positions grow with time and anything before the head is gone.
/// </remarks>
internal sealed class AbsorbedResponses
{
    /// <summary>1 MiB: a few seconds of entries at full load; larger entries get a segment of their own.</summary>
    public const int DefaultSegmentBytes = 1 << 20;

    private const long NoEntry = -1;
    private const long OffsetMask = 0xFFFF_FFFF;
    private const int FreeSegmentsKept = 4;
    private static readonly int HeaderBytes = Unsafe.SizeOf<EntryHeader>();

    private readonly TimeProvider _time;
    private readonly TimeSpan _lifetime;
    private readonly SipMessageParser _parser;
    private readonly Func<TransactionKey, ulong> _hash;
    private readonly int _segmentBytes;
    private readonly Lock _gate = new();
    private readonly Dictionary<ulong, long> _newestByHash = [];
    private readonly List<Segment> _segments = [];
    private readonly Stack<byte[]> _free = new();
    private readonly SegmentWriter _writer = new();
    private long _firstSegment; // the sequence number of _segments[0]
    private long _head; // the oldest entry kept, or where the next one goes when there is none
    private int _count;
    private int _segmentsAllocated;

    public AbsorbedResponses(TimeProvider time, TimeSpan lifetime, SipMessageParser parser)
        : this(time, lifetime, parser, new TransactionKeyHash().Of, DefaultSegmentBytes)
    {
    }

    /// <summary>Tests choose the hash (to force collisions) and the segment size.</summary>
    internal AbsorbedResponses(TimeProvider time, TimeSpan lifetime, SipMessageParser parser, Func<TransactionKey, ulong> hash, int segmentBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(segmentBytes, 1024);
        _time = time;
        _lifetime = lifetime;
        _parser = parser;
        _hash = hash;
        _segmentBytes = segmentBytes;
    }

    /// <summary>Entries absorbing retransmissions (neither expired, replaced nor removed).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>Segments allocated since creation (reuse keeps this bounded in steady state).</summary>
    internal int SegmentsAllocated
    {
        get
        {
            lock (_gate)
            {
                return _segmentsAllocated;
            }
        }
    }

    /// <summary>Keeps <paramref name="response"/> for <paramref name="key"/>, replacing what the key had.</summary>
    public void Add(TransactionKey key, SipResponse response)
    {
        var hash = _hash(key);
        var responseBytes = SipMessageWriter.Measure(response);
        var length = checked(HeaderBytes + (2 * (key.Branch.Length + key.SentBy.Length + key.Method.Length)) + responseBytes + 7) & ~7;
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            if (TryFind(key, hash, out var existing))
            {
                RemoveAt(existing);
            }

            ref var tail = ref Reserve(length, out var position);
            var entry = tail.Bytes.AsSpan(tail.Used, length);
            var header = new EntryHeader
            {
                Length = length,
                Since = now,
                Previous = _newestByHash.TryGetValue(hash, out var previous) ? previous : NoEntry,
                Hash = hash,
                BranchChars = key.Branch.Length,
                SentByChars = key.SentBy.Length,
                MethodChars = key.Method.Length,
                ResponseBytes = responseBytes,
            };
            MemoryMarshal.Write(entry, in header);
            var rest = entry[HeaderBytes..];
            Append(ref rest, key.Branch);
            Append(ref rest, key.SentBy);
            Append(ref rest, key.Method);
            _writer.Reset(tail.Bytes, tail.Used + length - rest.Length, responseBytes);
            SipMessageWriter.Write(response, _writer);
            if (_writer.Release() != responseBytes)
            {
                throw new InvalidOperationException("internal bug: Measure disagrees with Write");
            }

            tail.Used += length;
            _newestByHash[hash] = position;
            _count++;
        }
    }

    /// <summary>The response kept for <paramref name="key"/>, parsed again from its bytes (a retransmission is rare).</summary>
    public bool TryGet(TransactionKey key, [NotNullWhen(true)] out SipResponse? response)
    {
        var hash = _hash(key);
        byte[] bytes;
        lock (_gate)
        {
            if (!TryFind(key, hash, out var position))
            {
                response = null;
                return false;
            }

            var (segment, offset) = Locate(position);
            ref var header = ref HeaderAt(segment, offset);
            var start = offset + HeaderBytes + (2 * (header.BranchChars + header.SentByChars + header.MethodChars));
            bytes = segment.AsSpan(start, header.ResponseBytes).ToArray();
        }

        response = (SipResponse)_parser.ParseOwned(bytes);
        return true;
    }

    /// <summary>Stops absorbing for <paramref name="key"/> (RFC 3261 §17.2.4: a transport failure ends the transaction).</summary>
    public bool Remove(TransactionKey key)
    {
        var hash = _hash(key);
        lock (_gate)
        {
            if (!TryFind(key, hash, out var position))
            {
                return false;
            }

            RemoveAt(position);
            return true;
        }
    }

    /// <summary>Forgets the entries kept for their whole lifetime (oldest first) and recycles the segments they leave.</summary>
    public void ExpireDue()
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            while (_segments.Count > 0)
            {
                ref var first = ref CollectionsMarshal.AsSpan(_segments)[0];
                var offset = (int)(_head & OffsetMask);
                if (offset >= first.Used)
                {
                    if (_segments.Count == 1)
                    {
                        return; // empty; the tail segment stays for the next entries
                    }

                    Recycle(first.Bytes);
                    _segments.RemoveAt(0);
                    _firstSegment++;
                    _head = _firstSegment << 32;
                    continue;
                }

                ref var header = ref HeaderAt(first.Bytes, offset);
                if (_time.GetElapsedTime(header.Since, now) < _lifetime)
                {
                    return;
                }

                if (!header.Removed)
                {
                    _count--;
                }

                // Older entries with this hash are gone already (they came first), so only the newest holds the index.
                if (_newestByHash.TryGetValue(header.Hash, out var newest) && newest == _head)
                {
                    _newestByHash.Remove(header.Hash);
                }

                _head += header.Length;
            }
        }
    }

    private static ref EntryHeader HeaderAt(byte[] segment, int offset) =>
        ref MemoryMarshal.AsRef<EntryHeader>(segment.AsSpan(offset, HeaderBytes));

    private static void Append(ref Span<byte> output, string text)
    {
        var bytes = MemoryMarshal.AsBytes(text.AsSpan());
        bytes.CopyTo(output);
        output = output[bytes.Length..];
    }

    private static bool Matches(ref ReadOnlySpan<byte> stored, int chars, string text)
    {
        if (chars != text.Length)
        {
            return false;
        }

        var bytes = MemoryMarshal.AsBytes(text.AsSpan());
        var matches = stored[..bytes.Length].SequenceEqual(bytes);
        stored = stored[bytes.Length..];
        return matches;
    }

    /// <summary>The live entry for <paramref name="key"/>: down its hash's chain, comparing the whole key.</summary>
    private bool TryFind(TransactionKey key, ulong hash, out long position)
    {
        if (!_newestByHash.TryGetValue(hash, out position))
        {
            return false;
        }

        while (position >= _head)
        {
            var (segment, offset) = Locate(position);
            ref var header = ref HeaderAt(segment, offset);
            if (!header.Removed && header.Hash == hash)
            {
                ReadOnlySpan<byte> stored = segment.AsSpan(offset + HeaderBytes);
                if (Matches(ref stored, header.BranchChars, key.Branch)
                    && Matches(ref stored, header.SentByChars, key.SentBy)
                    && Matches(ref stored, header.MethodChars, key.Method))
                {
                    return true;
                }
            }

            position = header.Previous;
        }

        return false;
    }

    private void RemoveAt(long position)
    {
        var (segment, offset) = Locate(position);
        ref var header = ref HeaderAt(segment, offset);
        header.Removed = true;
        _count--;
        if (_newestByHash.TryGetValue(header.Hash, out var newest) && newest == position)
        {
            if (header.Previous >= _head)
            {
                _newestByHash[header.Hash] = header.Previous;
            }
            else
            {
                _newestByHash.Remove(header.Hash);
            }
        }
    }

    private (byte[] Segment, int Offset) Locate(long position) =>
        (_segments[(int)((position >> 32) - _firstSegment)].Bytes, (int)(position & OffsetMask));

    /// <summary>The tail segment with room for <paramref name="length"/> bytes at its end, a new one if need be.</summary>
    private ref Segment Reserve(int length, out long position)
    {
        if (_segments.Count == 0 || _segments[^1].Used + length > _segments[^1].Bytes.Length)
        {
            byte[]? bytes = null;
            if (length > _segmentBytes || !_free.TryPop(out bytes))
            {
                bytes = GC.AllocateUninitializedArray<byte>(Math.Max(length, _segmentBytes));
                _segmentsAllocated++;
            }

            _segments.Add(new Segment(bytes));
        }

        ref var tail = ref CollectionsMarshal.AsSpan(_segments)[^1];
        position = ((_firstSegment + _segments.Count - 1) << 32) | (uint)tail.Used;
        return ref tail;
    }

    private void Recycle(byte[] segment)
    {
        // A segment made for one large entry is left to the collector: those are rare.
        if (segment.Length == _segmentBytes && _free.Count < FreeSegmentsKept)
        {
            _free.Push(segment);
        }
    }

    private struct Segment(byte[] bytes)
    {
        public byte[] Bytes = bytes;
        public int Used;
    }

    /// <summary>Before each entry's key (UTF-16: branch, sent-by, method) and response bytes; entries are 8-byte aligned.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct EntryHeader
    {
        public int Length; // the whole entry, header and padding included
        public bool Removed; // replaced by a later add or removed by key: skipped by lookups, still in the chain
        public long Since;
        public long Previous; // the previous entry with the same hash, or NoEntry
        public ulong Hash;
        public int BranchChars;
        public int SentByChars;
        public int MethodChars;
        public int ResponseBytes;
    }

    /// <summary>
    /// Writes a response into the space reserved for it. Like the writer's own fixed buffer it returns the rest of that
    /// space whatever the size hint: the UTF-8 writes ask for the worst case but <see cref="SipMessageWriter.Measure"/>
    /// already counted the exact bytes.
    /// </summary>
    private sealed class SegmentWriter : IBufferWriter<byte>
    {
        private byte[] _bytes = [];
        private int _start;
        private int _length;
        private int _written;

        public void Reset(byte[] bytes, int start, int length)
        {
            _bytes = bytes;
            _start = start;
            _length = length;
            _written = 0;
        }

        /// <summary>How many bytes were written; lets go of the segment (a dedicated one may be collected).</summary>
        public int Release()
        {
            _bytes = [];
            return _written;
        }

        public void Advance(int count) => _written += count;

        public Memory<byte> GetMemory(int sizeHint = 0) => _bytes.AsMemory(_start + _written, _length - _written);

        public Span<byte> GetSpan(int sizeHint = 0) => _bytes.AsSpan(_start + _written, _length - _written);
    }
}
