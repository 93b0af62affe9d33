using Parley.Xmpp;
using Parley.Xmpp.Xml;

namespace Parley.Server.Sip.Messaging;

/// <summary>XEP-0085 chat states.</summary>
public enum ChatState
{
    Active,
    Composing,
    Paused,
    Inactive,
    Gone,
}

/// <summary>Chat state elements of XMPP messages.</summary>
public static class ChatStates
{
    /// <summary>The chat state a message carries, or null.</summary>
    public static ChatState? Read(Element message)
    {
        foreach (var child in message.Elements())
        {
            if (child.Namespace == XmppNamespaces.ChatStates)
            {
                return child.Name switch
                {
                    "active" => ChatState.Active,
                    "composing" => ChatState.Composing,
                    "paused" => ChatState.Paused,
                    "inactive" => ChatState.Inactive,
                    "gone" => ChatState.Gone,
                    _ => null,
                };
            }
        }

        return null;
    }

    /// <summary>Adds the chat state element (e.g. &lt;composing xmlns='http://jabber.org/protocol/chatstates'/&gt;).</summary>
    public static void Write(Element message, ChatState state)
        => message.AddChild(state.ToString().ToLowerInvariant(), XmppNamespaces.ChatStates);
}
