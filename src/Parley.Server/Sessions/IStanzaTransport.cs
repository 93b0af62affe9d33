using Parley.Xmpp.Xml;

namespace Parley.Server.Sessions;

/// <summary>The connection a session currently writes to. Sends never block: they queue.</summary>
public interface IStanzaTransport
{
    /// <summary>Queues a stanza (or a stream-level element such as an SM ack request) for writing.</summary>
    void Send(Element element);

    /// <summary>Closes the stream with an error (conflict, system-shutdown, …) and the connection.</summary>
    void Close(Parley.Xmpp.Streams.XmppStreamErrorReason? reason, string? text);
}
