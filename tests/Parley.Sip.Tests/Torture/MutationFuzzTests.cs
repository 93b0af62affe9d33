using System.Buffers;
using System.Diagnostics;
using Parley.Sip.Messages;
using Parley.Sip.Parsing;
using Parley.Sip.Tests.Support;

namespace Parley.Sip.Tests.Torture;

/// <summary>
/// Seeded mutations of valid messages: whatever the bytes, the parser either returns a message whose
/// typed getters fail only with <see cref="SipParseException"/>, or throws <see cref="SipParseException"/>,
/// and it does so in bounded time.
/// </summary>
public sealed class MutationFuzzTests
{
    private const int Cases = 100_000;

    [Fact]
    public void Hundred_thousand_mutations_throw_nothing_but_SipParseException_in_bounded_time()
    {
        var seeds = SipSamples.All.Select(SipSamples.Bytes)
            .Concat(new[] { "wsinv", "intmeth", "esc01", "longreq", "mpart01", "unreason", "transports" }.Select(TortureCorpus.Read))
            .ToArray();
        var random = new Random(4475);
        var limits = new SipLimits { MaxMessageBytes = 16 * 1024, MaxHeaderLineBytes = 4 * 1024, MaxHeaderCount = 64 };
        var parser = new SipMessageParser(limits);
        var slowest = TimeSpan.Zero;
        var parsed = 0;
        var total = Stopwatch.StartNew();
        for (var i = 0; i < Cases; i++)
        {
            var input = Mutate(seeds[random.Next(seeds.Length)], random);
            var watch = Stopwatch.StartNew();
            try
            {
                parsed += Exercise(parser, input, random.Next(1, Math.Max(2, input.Length))) ? 1 : 0;
            }
            catch (SipParseException)
            {
            }
            catch (Exception e)
            {
                Assert.Fail($"case {i}: {e.GetType().Name}: {e.Message}\n{Convert.ToBase64String(input)}\n{e.StackTrace}");
            }
            if (watch.Elapsed > slowest)
            {
                slowest = watch.Elapsed;
            }
        }
        // Parsing is linear, so a case takes microseconds; the bounds only catch a hang or a quadratic
        // blow-up, with room for a loaded CI machine descheduling the test.
        Assert.True(slowest < TimeSpan.FromSeconds(2), $"slowest case took {slowest}");
        Assert.True(total.Elapsed < TimeSpan.FromMinutes(5), $"{Cases} cases took {total.Elapsed}");
        // The mutations must leave a good share of messages parseable, or the typed getters go untested.
        Assert.InRange(parsed, Cases / 20, Cases);
    }

    /// <summary>Parses as a datagram and as a two-segment stream, then reads every typed field.</summary>
    private static bool Exercise(SipMessageParser parser, byte[] input, int cut)
    {
        var ok = false;
        try
        {
            Touch(parser.ParseDatagram(input));
            ok = true;
        }
        catch (SipParseException)
        {
        }
        var buffer = Sequences.Split(input, cut);
        var length = buffer.Length;
        while (parser.TryParseStream(ref buffer, out var message, out _))
        {
            Assert.True(buffer.Length < length, "a parsed message must consume bytes");
            length = buffer.Length;
            Touch(message!);
            ok = true;
        }
        return ok;
    }

    private static void Touch(SipMessage message)
    {
        Try(() => message.CallId);
        Try(() => message.CSeq);
        Try(() => message.From.ToString());
        Try(() => message.To.Tag);
        Try(() => message.Vias.Select(v => v.ToString() + v.RPort + v.Received).ToList());
        Try(() => message.MaxForwards);
        Try(() => message.Expires);
        Try(() => message.ContentType);
        foreach (var contact in message.Headers.GetValues(SipHeaderNames.Contact))
        {
            _ = NameAddress.TryParse(contact, out var address) ? address.ToString() : null;
        }
        if (message is SipRequest request)
        {
            _ = request.RequestUri.ToString();
            _ = SipResponse.CreateFor(request, 400, toTag: "t");
        }
        foreach (var auth in message.Headers.GetAll(SipHeaderNames.Authorization))
        {
            _ = Parley.Sip.Authentication.DigestCredentials.TryParse(auth, out _);
        }
        // What was parsed can be written back.
        var bytes = SipMessageWriter.ToBytes(message);
        Assert.Equal(SipMessageWriter.Measure(message), bytes.Length);
    }

    private static void Try<T>(Func<T> read)
    {
        try
        {
            _ = read();
        }
        catch (SipParseException)
        {
        }
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = new List<byte>(seed);
        var rounds = random.Next(1, 4);
        for (var r = 0; r < rounds && bytes.Count > 0; r++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(10))
            {
                case 0: // flip a bit
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1: // replace with a syntax-significant byte
                    var significant = "\r\n :;,<>\"\\@%[]=/\0\t?"u8;
                    bytes[at] = significant[random.Next(significant.Length)];
                    break;
                case 2: // truncate
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 3: // duplicate a slice (repeats headers, separators, CRLFs)
                    var length = Math.Min(random.Next(1, 200), bytes.Count - at);
                    bytes.InsertRange(at, bytes.GetRange(at, length));
                    break;
                case 4: // delete a slice
                    bytes.RemoveRange(at, Math.Min(random.Next(1, 40), bytes.Count - at));
                    break;
                case 5: // a huge header
                    bytes.InsertRange(FindLineStart(bytes, at), System.Text.Encoding.ASCII.GetBytes("X-Huge: " + new string('h', random.Next(1000, 20000)) + "\r\n"));
                    break;
                case 6: // many small headers
                    bytes.InsertRange(FindLineStart(bytes, at), System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("Via: SIP/2.0/UDP h;branch=z9hG4bKx\r\n", random.Next(1, 100)))));
                    break;
                case 7: // random byte
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 8: // fold the line here (LWS continuation)
                    bytes.InsertRange(at, "\r\n "u8.ToArray());
                    break;
                default: // break or change the Content-Length digits
                    var index = IndexOf(bytes, "Content-Length: "u8);
                    if (index >= 0)
                    {
                        bytes.InsertRange(index + 16, System.Text.Encoding.ASCII.GetBytes(random.Next(-5, 100000).ToString()));
                    }
                    break;
            }
        }
        return bytes.ToArray();
    }

    private static int FindLineStart(List<byte> bytes, int at)
    {
        for (var i = Math.Min(at, bytes.Count - 1); i > 0; i--)
        {
            if (bytes[i - 1] == '\n')
            {
                return i;
            }
        }
        return 0;
    }

    private static int IndexOf(List<byte> bytes, ReadOnlySpan<byte> needle)
    {
        var array = bytes.ToArray();
        return array.AsSpan().IndexOf(needle);
    }
}
