using System.Buffers;
using System.Text;
using Parley.Xmpp.Streams;
using Parley.Xmpp.Tests.Support;

namespace Parley.Xmpp.Tests.Streams;

/// <summary>
/// Seeded mutation fuzzing: whatever the bytes, the parser either yields events or throws
/// <see cref="XmppStreamException"/>, and every stanza it accepts survives a serializer round trip.
/// </summary>
public class XmppStreamParserFuzzTests
{
    private static readonly string[] Stanzas =
    [
        "<message to='juliet@example.com/balcony' from='romeo@example.net/orchard' type='chat' id='m1'><body>Wherefore &amp; &#x1F600; Grüße</body><active xmlns='http://jabber.org/protocol/chatstates'/></message>",
        "<presence><show>away</show><status>Out &apos;n&apos; about</status><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='http://psi-im.org' ver='q07IKJEyjvHSyhy//CH0CxmKi8w='/></presence>",
        "<iq type='result' id='r1'><query xmlns='jabber:iq:roster' ver='v1'><item jid='a@b' name=\"A &quot;B&quot;\" subscription='both'><group>Friends</group></item></query></iq>",
        "<message id='m2'><body><![CDATA[<b>bold</b> ]]></body><x:foo xmlns:x='urn:example:x' x:attr='1' plain=\"two\"><x:bar/></x:foo></message>",
        "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>",
        "<iq type='set' id='b'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>日本</resource></bind></iq>",
        " \n ",
    ];

    private static readonly string[] Snippets =
    [
        "<", ">", "/", "'", "\"", "&", ";", "=", ":", "!", "?", "]]>", "<![CDATA[", "<!--", "<!DOCTYPE x>", "<?pi?>", "&#", "&#x", "&lt;",
        "&lol;", "xmlns='urn:z'", "xmlns:p='urn:p'", "p:", "</a>", "<a>", "<a/>", "</stream:stream>", "<stream:stream>", " ", "\r\n", "\0",
        "\u00e9", "\uFFFF", "x='1'", "\U0001F600",
    ];

    [Fact]
    public void Mutated_streams_only_ever_yield_events_or_stream_exceptions()
    {
        const int cases = 100_000;
        var random = new Random(20240611);
        var accepted = 0;
        var rejected = 0;
        for (var i = 0; i < cases; i++)
        {
            var input = Mutate(random, Build(random));
            var chunk = random.Next(4) == 0 ? 1 + random.Next(16) : input.Length + 1;
            try
            {
                foreach (var streamEvent in Parse(input, chunk))
                {
                    if (streamEvent.Kind == XmppStreamEventKind.Stanza)
                    {
                        ElementAssert.Equal(streamEvent.Element!, ElementAssert.RoundTrip(streamEvent.Element!));
                    }
                }

                accepted++;
            }
            catch (XmppStreamException)
            {
                rejected++;
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"case {i}: {e.GetType().Name} {e.Message}\ninput (base64): {Convert.ToBase64String(input)}\n{e}");
            }
        }

        // Both outcomes must be common, or the mutations are too weak or too destructive to test anything.
        Assert.True(accepted > cases / 20, $"accepted {accepted}");
        Assert.True(rejected > cases / 20, $"rejected {rejected}");
    }

    [Fact]
    public void Random_bytes_after_the_header_only_yield_events_or_stream_exceptions()
    {
        var random = new Random(7);
        var header = Encoding.UTF8.GetBytes(StreamFeeder.ClientHeader);
        for (var i = 0; i < 20_000; i++)
        {
            var noise = new byte[random.Next(1, 64)];
            random.NextBytes(noise);
            try
            {
                _ = Parse([.. header, .. "<message>"u8, .. noise], 1 + random.Next(8));
            }
            catch (XmppStreamException)
            {
            }
        }
    }

    private static byte[] Build(Random random)
    {
        var text = new StringBuilder(StreamFeeder.ClientHeader);
        var count = 1 + random.Next(3);
        for (var i = 0; i < count; i++)
        {
            text.Append(Stanzas[random.Next(Stanzas.Length)]);
        }

        if (random.Next(3) == 0)
        {
            text.Append("</stream:stream>");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static byte[] Mutate(Random random, byte[] input)
    {
        var bytes = new List<byte>(input);
        var mutations = 1 + random.Next(3);
        for (var m = 0; m < mutations && bytes.Count > 0; m++)
        {
            // Mutate after the header most of the time, so stanza parsing is what gets exercised.
            var start = random.Next(4) == 0 ? 0 : Math.Min(bytes.Count - 1, StreamFeeder.ClientHeader.Length);
            var at = start + random.Next(bytes.Count - start);
            switch (random.Next(6))
            {
                case 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 1:
                    bytes[at] = (byte)"<>/'\"&;=: x#!?["[random.Next(15)];
                    break;
                case 2:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + random.Next(8)));
                    break;
                case 3:
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes(Snippets[random.Next(Snippets.Length)]));
                    break;
                case 4:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                default:
                    var length = Math.Min(bytes.Count - at, 1 + random.Next(40));
                    bytes.InsertRange(at, bytes.GetRange(at, length));
                    break;
            }
        }

        return [.. bytes];
    }

    private static List<XmppStreamEvent> Parse(byte[] input, int chunk)
    {
        var parser = new XmppStreamParser(new XmppLimits { MaxStanzaBytes = 2048, MaxDepth = 8, MaxAttributesPerElement = 8 });
        var events = new List<XmppStreamEvent>();
        for (var offset = 0; offset < input.Length; offset += chunk)
        {
            var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(input, offset, Math.Min(chunk, input.Length - offset)));
            while (parser.TryRead(ref reader, out var streamEvent))
            {
                events.Add(streamEvent);
            }

            if (!reader.End)
            {
                throw new InvalidOperationException("the parser returned false without consuming its input");
            }
        }

        return events;
    }
}
