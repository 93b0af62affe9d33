namespace Parley.Server.Diagnostics;

public static partial class ParleyEvents
{
    /// <summary>3000–3099: XMPP client authentication.</summary>
    public static class Authentication
    {
        /// <summary>{0} user, {1} client address, {2} SASL mechanism, {3} reason.</summary>
        public static readonly EventDefinition Failed = new(
            3000, AuthenticationSource, EventLevel.Warning,
            "Authentication failed for {0} from {1} with {2}: {3}",
            "The client sent a wrong password, an unknown user name, or a malformed SASL exchange.",
            "If the user cannot log in, check the account exists (`parley user list`) and reset the password with `parley user passwd`. Many failures from one address may be a password-guessing attack: see event 3002.");

        /// <summary>{0} user, {1} client address.</summary>
        public static readonly EventDefinition DisabledAccount = new(
            3001, AuthenticationSource, EventLevel.Warning,
            "Login to disabled account {0} refused from {1}",
            "The account exists but is disabled (for example during a migration to or from the peer server).",
            "If the user should log in to Parley, run `parley user enable <jid>`; otherwise tell the user which server now hosts them.");

        /// <summary>{0} failure count, {1} client address, {2} window in seconds.</summary>
        public static readonly EventDefinition RepeatedFailures = new(
            3002, AuthenticationSource, EventLevel.Warning,
            "{0} failed authentications from {1} within {2} s; further attempts from this address are delayed",
            "One address keeps failing to authenticate: a client with a stale saved password, or password guessing.",
            "Find the client at that address: fix its saved password, or block the address at the firewall if it is not one of yours.");

        /// <summary>{0} client address, {1} mechanism.</summary>
        public static readonly EventDefinition MechanismRefusedWithoutTls = new(
            3003, AuthenticationSource, EventLevel.Warning,
            "Client {0} tried {1} before starting TLS; refused",
            "PLAIN sends the password itself and is offered only on TLS-protected streams.",
            "Configure the client to require TLS (STARTTLS), or use a client that supports SCRAM-SHA-256.");
    }
}
