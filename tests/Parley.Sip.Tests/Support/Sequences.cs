using System.Buffers;

namespace Parley.Sip.Tests.Support;

/// <summary>Builds multi-segment sequences to exercise data that straddles pipe buffers.</summary>
internal static class Sequences
{
    public static ReadOnlySequence<byte> Split(ReadOnlyMemory<byte> data, params int[] cuts)
    {
        var points = cuts.Where(c => c > 0 && c < data.Length).Distinct().Order().ToList();
        if (points.Count == 0)
        {
            return new ReadOnlySequence<byte>(data);
        }
        Segment? first = null;
        Segment? last = null;
        var start = 0;
        foreach (var end in points.Append(data.Length))
        {
            // Copy each piece so no segment can see its neighbours' bytes.
            var piece = data[start..end].ToArray();
            if (first is null)
            {
                first = last = new Segment(piece, 0);
            }
            else
            {
                last = last!.Append(piece);
            }
            start = end;
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    /// <summary>One segment per byte: the worst case for straddling.</summary>
    public static ReadOnlySequence<byte> Bytewise(ReadOnlyMemory<byte> data) =>
        Split(data, Enumerable.Range(1, Math.Max(0, data.Length - 1)).ToArray());

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
