using Parley.Server.Sessions;
using Parley.Server.Xmpp.C2s;
using Parley.Xmpp.Addressing;
using Parley.Xmpp.Stanzas;
using Parley.Xmpp.Xml;

namespace Parley.Server.Federation.Outbound;

/// <summary>
/// Messages from XMPP clients to the peer's users leave in the background, in order per conversation (sender,
/// recipient). A client's stream must not wait for the peer: a next hop that drops packets costs a whole SIP
/// transaction timeout (32 s) per route before failover ends, and meanwhile the client's presence, pings and messages to
/// everyone else would stall behind it. A failure still reaches the sender, as a message error to the resource that
/// sent it (RFC 6120 §8.3). At most <see cref="MaxPendingPerConversation"/> wait per conversation; beyond that a message
/// is refused at once (resource-constraint, wait), so a flood toward a dead peer costs bounded memory.
/// </summary>
public sealed class PeerSendQueue(SessionRegistry registry, SessionTerminations background)
{
    public const int MaxPendingPerConversation = 200;

    private readonly Lock _gate = new();
    private readonly Dictionary<(Jid From, Jid To), Conversation> _conversations = [];

    /// <summary>Number of conversations with messages still waiting (tests, diagnostics).</summary>
    public int ActiveConversations
    {
        get
        {
            lock (_gate)
            {
                return _conversations.Count;
            }
        }
    }

    /// <summary>
    /// Queues <paramref name="send"/> behind the earlier messages of the same conversation; null when queued, or the
    /// error for the sender when the conversation already has <see cref="MaxPendingPerConversation"/> waiting.
    /// </summary>
    public Element? Enqueue(Element message, Jid from, Jid to, Func<Task<Element?>> send)
    {
        var key = (from.Bare, to.Bare);
        Task sending;
        lock (_gate)
        {
            if (!_conversations.TryGetValue(key, out var conversation))
            {
                conversation = new Conversation();
                _conversations[key] = conversation;
            }

            if (conversation.Pending >= MaxPendingPerConversation)
            {
                return StanzaError.CreateReply(message, StanzaErrorCondition.ResourceConstraint,
                    "Too many messages are waiting for the federation peer; try again later.", type: StanzaErrorType.Wait);
            }

            conversation.Pending++;
            conversation.Tail = sending = SendAfterAsync(conversation.Tail, key, conversation, message, from, send);
        }

        background.Track(sending); // shutdown waits for what is already on its way
        return null;
    }

    private async Task SendAfterAsync(Task previous, (Jid From, Jid To) key, Conversation conversation, Element message, Jid from, Func<Task<Element?>> send)
    {
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Element? error;
        try
        {
            error = await send().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Nobody awaits this task: the sender is told, and the conversation goes on with the next message.
            error = StanzaError.CreateReply(message, StanzaErrorCondition.ServiceUnavailable, "The message could not be sent to the federation peer.");
        }
        finally
        {
            lock (_gate)
            {
                if (--conversation.Pending == 0 && _conversations.TryGetValue(key, out var current) && ReferenceEquals(current, conversation))
                {
                    _conversations.Remove(key);
                }
            }
        }

        // The resource that sent it, if still connected; a gone resource gets nothing, as for any error to it.
        if (error is not null)
        {
            registry.FindSession(from)?.Deliver(error);
        }
    }

    private sealed class Conversation
    {
        public int Pending { get; set; }

        public Task Tail { get; set; } = Task.CompletedTask;
    }
}
