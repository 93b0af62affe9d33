namespace Parley.Server.Sip.Presence.Pidf;

/// <summary>A presence document Parley refuses; <see cref="Exception.Message"/> says why, for the 400 reason and the event.</summary>
public sealed class PidfFormatException(string detail, Exception? inner = null) : Exception(detail, inner);
