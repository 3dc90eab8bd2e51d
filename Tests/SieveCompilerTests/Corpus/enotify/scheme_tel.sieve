require "enotify";
notify "tel:+123";
