package webhook

import (
	"context"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"

	"github.com/kolregistry/kolregistry/registry"
)

// Endpoints must be https:// URLs that resolve to public addresses only: a subscriber must not
// make the registry's servers call into their own network (SSRF). The addresses are checked
// when the endpoint is registered and again at every connection (the dialer's Control hook
// sees the very address dialed, so a DNS answer that changes in between gains nothing).

// ErrPrivateAddress is an endpoint resolving to a loopback, private, link-local or otherwise
// non-public address.
var ErrPrivateAddress error = &URLError{registry.Msg("WEBHOOK_URL_PRIVATE")}

// URLError is why CheckURL refuses an endpoint URL, as a message of the catalogue (the API
// writes it in the request's language).
type URLError struct{ Message registry.Message }

func (e *URLError) Error() string { return e.Message.String() }

// nonPublic are ranges that IsPrivate and friends do not cover but that are not the Internet.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"), // NAT64: may reach an IPv4 private address
	netip.MustParsePrefix("2001:db8::/32"),
}

// Public reports whether ip is a public unicast address.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsMulticast() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// MaxURLLength bounds an endpoint's URL.
const MaxURLLength = 2000

// CheckURL validates an endpoint URL: https, a host, no user info, and (unless allowPrivate)
// every address the host resolves to public.
func CheckURL(ctx context.Context, raw string, allowPrivate bool) error {
	if len(raw) > MaxURLLength {
		return &URLError{registry.Msg("WEBHOOK_URL_TOO_LONG", MaxURLLength)}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.Hostname() == "" {
		return &URLError{registry.Msg("WEBHOOK_URL_NOT_HTTPS")}
	}
	if u.User != nil {
		return &URLError{registry.Msg("WEBHOOK_URL_USERINFO")}
	}
	if allowPrivate {
		return nil
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", strings.TrimSuffix(u.Hostname(), "."))
	if err != nil || len(addrs) == 0 {
		return &URLError{registry.Msg("WEBHOOK_HOST_UNKNOWN", u.Hostname())}
	}
	for _, a := range addrs {
		if !Public(a) {
			return ErrPrivateAddress
		}
	}
	return nil
}

// dialControl refuses a connection to a non-public address.
func dialControl(allowPrivate bool) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		if allowPrivate {
			return nil
		}
		ap, err := netip.ParseAddrPort(address)
		if err != nil || !Public(ap.Addr()) {
			return ErrPrivateAddress
		}
		return nil
	}
}
