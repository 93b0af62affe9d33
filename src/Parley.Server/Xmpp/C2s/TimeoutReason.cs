namespace Parley.Server.Xmpp.C2s;

/// <summary>Which deadline closed a connection.</summary>
internal enum TimeoutReason
{
    None,
    Handshake,
    StanzaIncomplete,
    Idle,
}
