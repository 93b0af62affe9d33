namespace Parley.Sip.Messages;

/// <summary>Method names as RFC 3261 and its extensions spell them (methods are case-sensitive).</summary>
public static class SipMethods
{
    public const string Invite = "INVITE";
    public const string Ack = "ACK";
    public const string Bye = "BYE";
    public const string Cancel = "CANCEL";
    public const string Register = "REGISTER";
    public const string Options = "OPTIONS";
    public const string Subscribe = "SUBSCRIBE";
    public const string Notify = "NOTIFY";
    public const string Publish = "PUBLISH";
    public const string Message = "MESSAGE";
    public const string Info = "INFO";
    public const string Prack = "PRACK";
    public const string Update = "UPDATE";
    public const string Refer = "REFER";

    private static readonly string[] All = [Invite, Ack, Bye, Cancel, Register, Options, Subscribe, Notify, Publish, Message, Info, Prack, Update, Refer];

    /// <summary>The constant when <paramref name="method"/> is a known method (case-sensitive), else a new string.</summary>
    public static string Intern(ReadOnlySpan<char> method)
    {
        foreach (var known in All)
        {
            if (method.SequenceEqual(known))
            {
                return known;
            }
        }
        return method.ToString();
    }

    /// <summary>The interned constant for a known method spelled exactly (methods are case-sensitive), else null.</summary>
    internal static string? Known(ReadOnlySpan<byte> method) => method.Length switch
    {
        3 when method.SequenceEqual("ACK"u8) => Ack,
        3 when method.SequenceEqual("BYE"u8) => Bye,
        4 when method.SequenceEqual("INFO"u8) => Info,
        5 when method.SequenceEqual("PRACK"u8) => Prack,
        5 when method.SequenceEqual("REFER"u8) => Refer,
        6 when method.SequenceEqual("INVITE"u8) => Invite,
        6 when method.SequenceEqual("CANCEL"u8) => Cancel,
        6 when method.SequenceEqual("NOTIFY"u8) => Notify,
        6 when method.SequenceEqual("UPDATE"u8) => Update,
        7 when method.SequenceEqual("OPTIONS"u8) => Options,
        7 when method.SequenceEqual("PUBLISH"u8) => Publish,
        7 when method.SequenceEqual("MESSAGE"u8) => Message,
        8 when method.SequenceEqual("REGISTER"u8) => Register,
        9 when method.SequenceEqual("SUBSCRIBE"u8) => Subscribe,
        _ => null,
    };
}
