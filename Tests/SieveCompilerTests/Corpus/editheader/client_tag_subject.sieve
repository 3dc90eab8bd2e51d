require ["editheader", "variables"];
if header :matches "subject" "*" {
    deleteheader "subject";
    addheader :last "Subject" "[external] ${1}";
}
