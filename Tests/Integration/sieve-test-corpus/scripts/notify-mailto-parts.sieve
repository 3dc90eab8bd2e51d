require ["enotify"];
notify :from "Sender <me@example.com>" :importance "3" :message "the message"
    "mailto:a@example.com%2Cb@example.org?cc=c@example.net&bcc=d@example.net&subject=Hi%20there&body=Body%20text&X-Custom=v%20w&In-Reply-To=%3C1@x%3E&to=e@example.com&keywords=k1&comments=c";
