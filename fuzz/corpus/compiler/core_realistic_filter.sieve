require ["fileinto", "reject", "envelope"];
# Spam goes to Junk
if header :contains "X-Spam-Flag" "YES" {
    fileinto "Junk";
    stop;
}
if address :is :domain "from" ["example.com", "example.org"] {
    fileinto "Work";
} elsif envelope :localpart :is "to" "postmaster" {
    fileinto "Admin";
} elsif size :over 10M {
    reject "Message too big.";
} else {
    keep;
}
