using System.Globalization;
using Parley.Sip.Messages;

namespace Parley.Server.Sip.Registrar;

/// <summary>Why a REGISTER is refused, as status, reason phrase and (for 423) the Min-Expires to send.</summary>
public sealed record RegisterProblem(int Status, string Reason, TimeSpan? MinExpires = null)
{
    public static readonly RegisterProblem OutOfOrder = new(500, "Out of order: CSeq not above the registration it updates");

    public static RegisterProblem TooManyContacts(int limit) => new(403, $"Too many registered contacts (at most {limit})");
}

/// <summary>
/// The parts of a REGISTER the registrar acts on, validated (RFC 3261 §10.3 steps 6–7). <see cref="RemoveAll"/> is
/// "Contact: *" (then <see cref="Contacts"/> is empty); no contacts and not <see cref="RemoveAll"/> is a query.
/// </summary>
public sealed record RegisterRequest(string CallId, uint CSeq, bool RemoveAll, IReadOnlyList<(NameAddress Contact, TimeSpan Expires)> Contacts)
{
    /// <summary>Most Contact values one REGISTER may carry; more is refused 400 (hostile input).</summary>
    public const int MaxContacts = 32;

    /// <summary>The validated request, or null with the problem to answer (400 malformed, 423 too brief).</summary>
    public static RegisterRequest? TryParse(SipRequest request, SipServerOptions options, out RegisterProblem? problem)
    {
        problem = null;
        TimeSpan? headerExpires = null;
        if (request.Headers[SipHeaderNames.Expires] is { } expiresText)
        {
            if (!TryParseSeconds(expiresText, out var seconds))
            {
                problem = new RegisterProblem(400, "Malformed Expires header");
                return null;
            }

            headerExpires = seconds;
        }

        var values = request.Headers.GetValues(SipHeaderNames.Contact);
        if (values.Count > MaxContacts)
        {
            problem = new RegisterProblem(400, $"Too many Contact values (at most {MaxContacts})");
            return null;
        }

        if (values.Any(value => value.Trim() == "*"))
        {
            // §10.3 step 6: "*" only alone and only with Expires: 0.
            if (values.Count != 1 || headerExpires != TimeSpan.Zero)
            {
                problem = new RegisterProblem(400, "Invalid wildcard: Contact * needs Expires: 0 and no other contact");
                return null;
            }

            return new RegisterRequest(request.CallId, request.CSeq.Number, true, []);
        }

        var contacts = new List<(NameAddress, TimeSpan)>(values.Count);
        foreach (var value in values)
        {
            if (!NameAddress.TryParse(value, out var contact) || !contact.Uri.IsSip)
            {
                problem = new RegisterProblem(400, "Malformed Contact");
                return null;
            }

            TimeSpan requested;
            if (contact.Parameters["expires"] is { } parameter)
            {
                if (!TryParseSeconds(parameter, out requested))
                {
                    problem = new RegisterProblem(400, "Malformed expires parameter");
                    return null;
                }
            }
            else
            {
                requested = headerExpires ?? options.DefaultExpires;
            }

            if (requested != TimeSpan.Zero && requested < options.MinExpires)
            {
                problem = new RegisterProblem(423, "Interval Too Brief", options.MinExpires);
                return null;
            }

            contacts.Add((contact, requested > options.MaxExpires ? options.MaxExpires : requested));
        }

        return new RegisterRequest(request.CallId, request.CSeq.Number, false, contacts);
    }

    /// <summary>delta-seconds (RFC 3261 §25.1); values above 2^32-1 are taken as that (§20.19 allows it).</summary>
    private static bool TryParseSeconds(string text, out TimeSpan value)
    {
        var trimmed = text.Trim();
        value = TimeSpan.Zero;
        if (trimmed.Length == 0 || !trimmed.All(char.IsAsciiDigit))
        {
            return false;
        }

        value = TimeSpan.FromSeconds(ulong.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? Math.Min(seconds, uint.MaxValue) : uint.MaxValue);
        return true;
    }
}
