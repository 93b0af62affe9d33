namespace Parley.Server.Sip.Presence.Pidf;

/// <summary>Bounds on a PIDF document from a peer. Setters validate.</summary>
public sealed class PidfLimits
{
    private int _maxDocumentBytes = 16 * 1024;
    private int _maxDepth = 16;
    private int _maxTuples = 32;
    private int _maxActivities = 16;
    private int _maxNoteChars = 1024;

    /// <summary>
    /// Largest document; 16 KiB. Clients publish well under 2 KiB (one tuple, a person, a note); Kamailio's presence
    /// module keeps bodies in memory per publication too, so the bound is also a memory bound.
    /// </summary>
    public int MaxDocumentBytes { get => _maxDocumentBytes; set => _maxDocumentBytes = Positive(value); }

    /// <summary>Deepest element nesting below the root; RPID needs four (person/activities/activity/...).</summary>
    public int MaxDepth { get => _maxDepth; set => _maxDepth = Positive(value); }

    public int MaxTuples { get => _maxTuples; set => _maxTuples = Positive(value); }

    /// <summary>Activities kept per person or tuple; more are ignored, not refused.</summary>
    public int MaxActivities { get => _maxActivities; set => _maxActivities = Positive(value); }

    /// <summary>Longest note kept; a longer one is cut, as a status line is meant to be short.</summary>
    public int MaxNoteChars { get => _maxNoteChars; set => _maxNoteChars = Positive(value); }

    private static int Positive(int value) => value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "must be positive");
}
