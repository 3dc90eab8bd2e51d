/* greeting: the floor for exec -> greeting. A static C program that prints a ManageSieve greeting
 * of the same size as managesieved's, then answers one command line with OK and exits. */
#include <unistd.h>

static const char greeting[] =
    "\"IMPLEMENTATION\" \"managesieved\"\r\n"
    "\"SIEVE\" \"fileinto reject envelope encoded-character vacation subaddress comparator-i;ascii-numeric "
    "relational regex imap4flags copy include variables body enotify environment mailbox date index ihave "
    "duplicate mime foreverypart extracttext\"\r\n"
    "\"NOTIFY\" \"mailto\"\r\n"
    "\"SASL\" \"PLAIN LOGIN\"\r\n"
    "\"MAXREDIRECTS\" \"4\"\r\n"
    "\"VERSION\" \"1.0\"\r\n"
    "OK \"managesieved ready.\"\r\n";

int main(void) {
    char buf[4096];
    if (write(1, greeting, sizeof greeting - 1) < 0) return 1;
    if (read(0, buf, sizeof buf) > 0) {
        static const char bye[] = "OK \"Logout completed.\"\r\n";
        if (write(1, bye, sizeof bye - 1) < 0) return 1;
    }
    return 0;
}
