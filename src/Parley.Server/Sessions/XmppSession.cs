using Parley.Xmpp.Addressing;
using Parley.Xmpp.Xml;

namespace Parley.Server.Sessions;

/// <summary>
/// One bound resource. Outlives its connection while XEP-0198 waits for resumption, so routing targets the
/// session, never the socket. Thread-safe: stanzas arrive from every other user's connection.
/// </summary>
public sealed class XmppSession
{
    private readonly object _gate = new();
    private IStanzaTransport? _transport;
    private Element? _presence;
    private HashSet<Jid>? _directedPresence;

    public XmppSession(OnlineUser user, Jid fullJid, IStanzaTransport transport)
    {
        User = user;
        FullJid = fullJid;
        _transport = transport;
    }

    public OnlineUser User { get; }

    public Jid FullJid { get; }

    public StreamManagementState? StreamManagement { get; private set; }

    /// <summary>The session requested the roster, so it gets roster pushes and subscription requests (RFC 6121 §2.1.6).</summary>
    public bool IsInterested { get; set; }

    /// <summary>Set once the session has sent initial presence; cleared by unavailable presence.</summary>
    public bool IsAvailable => Volatile.Read(ref _presence) is not null;

    /// <summary>The last available presence broadcast by this session (no 'to'), or null.</summary>
    public Element? Presence => Volatile.Read(ref _presence);

    public int Priority { get; private set; }

    public bool IsDetached
    {
        get
        {
            lock (_gate)
            {
                return _transport is null;
            }
        }
    }

    public bool IsTerminated { get; private set; }

    public void SetPresence(Element? presence, int priority)
    {
        Priority = priority;
        Volatile.Write(ref _presence, presence);
    }

    /// <summary>Records a directed presence to a JID that is not a watcher, so unavailable reaches it too (RFC 6121 §4.6).</summary>
    public void RecordDirectedPresence(Jid to, bool available)
    {
        lock (_gate)
        {
            if (available)
            {
                (_directedPresence ??= []).Add(to);
            }
            else
            {
                _directedPresence?.Remove(to);
            }
        }
    }

    public IReadOnlyList<Jid> TakeDirectedPresence()
    {
        lock (_gate)
        {
            var list = _directedPresence?.ToArray() ?? [];
            _directedPresence = null;
            return list;
        }
    }

    public StreamManagementState EnableStreamManagement(string id, bool resumable)
    {
        lock (_gate)
        {
            return StreamManagement ??= new StreamManagementState(id, resumable);
        }
    }

    /// <summary>
    /// Queues a stanza for the client. With stream management it is kept until acknowledged. False when the session has
    /// ended (it may still be listed for a moment while it is being removed): the caller routes the stanza elsewhere
    /// (other resources, offline storage) instead of losing it.
    /// </summary>
    public bool Deliver(Element stanza)
    {
        lock (_gate)
        {
            if (IsTerminated)
            {
                return false;
            }

            StreamManagement?.Track(stanza);
            _transport?.Send(stanza);
            return true;
        }
    }

    /// <summary>Sends a stream-level element (not counted by stream management).</summary>
    public void SendControl(Element element)
    {
        lock (_gate)
        {
            _transport?.Send(element);
        }
    }

    public bool Acknowledge(uint handled)
    {
        lock (_gate)
        {
            return StreamManagement?.Acknowledge(handled) ?? true;
        }
    }

    /// <summary>The connection dropped. Says whether the session waits for resumption or ends now.</summary>
    public DetachOutcome Detach(IStanzaTransport transport)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(_transport, transport) || IsTerminated)
            {
                return DetachOutcome.NotCurrent;
            }

            _transport = null;
            return StreamManagement is { Resumable: true } ? DetachOutcome.AwaitResumption : DetachOutcome.Terminate;
        }
    }

    /// <summary>
    /// A new connection takes the session over (XEP-0198 resumption): applies the client's ack, sends
    /// <paramref name="resumed"/>, then re-sends every stanza still unacknowledged, in order.
    /// </summary>
    public bool Resume(IStanzaTransport transport, uint handled, Element resumed, out IStanzaTransport? previous)
    {
        lock (_gate)
        {
            previous = _transport;
            if (IsTerminated || StreamManagement is null || !StreamManagement.Acknowledge(handled))
            {
                previous = null;
                return false;
            }

            _transport = transport;
            transport.Send(resumed);
            foreach (var stanza in StreamManagement.Unacked())
            {
                transport.Send(stanza);
            }

            return true;
        }
    }

    /// <summary>Ends the session for good; returns the stanzas the client never acknowledged.</summary>
    public IReadOnlyList<Element> Terminate()
    {
        lock (_gate)
        {
            IsTerminated = true;
            _transport = null;
            return StreamManagement?.DrainUnacked() ?? [];
        }
    }

    public IStanzaTransport? Transport
    {
        get
        {
            lock (_gate)
            {
                return _transport;
            }
        }
    }
}

public enum DetachOutcome
{
    /// <summary>Another connection already owns the session (it was resumed or replaced).</summary>
    NotCurrent,

    /// <summary>Stream management keeps the session until the client resumes or the timeout passes.</summary>
    AwaitResumption,

    Terminate,
}
