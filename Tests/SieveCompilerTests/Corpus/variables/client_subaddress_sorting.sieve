require ["fileinto", "variables", "envelope", "subaddress", "mailbox"];
if envelope :detail :matches "to" "*" {
    set :lower "folder" "${1}";
    if not string :is "${folder}" "" {
        fileinto :create "Plus/${folder}";
    }
}
